"""Input at its edges (issue 13 item 10): ids that no database column can hold, and free text without end.

One URL converter serves every `<int:...>` in the app and the API: an id beyond a signed 64-bit integer (the
widest primary key PostgreSQL and SQLite have) matches no route, so it is a 404 rather than an overflow deep in
the driver. `id_arg` does the same for ids in a query string. The length limits of free text live in the form
base (app/forms/base.py) and the API's schema base (app/api/limits.py), using the figures below."""
from __future__ import annotations

import datetime as dt

from flask import request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

INT64_MAX = 2 ** 63 - 1
# Free text: a one-line box, and a multi-line one (a medical note, a risk assessment's control measures).
LINE_MAX = 200
TEXT_MAX = 5000
# Dates a school's record can carry. Year 130 or 9999 is a slip of the keyboard, and date arithmetic near the
# calendar's ends overflows (a report compared with the periods before it, a review due after it).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"must be between {DATE_MIN:%Y} and {DATE_MAX:%Y}"


class Int64Converter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=INT64_MAX if max is None else max,
                         signed=signed)

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > self.max:
            # Not "no rule matched" (werkzeug would then answer 405 for a path another method has): no record.
            raise NotFound()
        return super().to_python(value)


def install_converters(app) -> None:
    """Before any route is added: `<int:...>` then means an id a database can hold."""
    app.url_map.converters["int"] = Int64Converter


def id_from(value) -> int | None:
    """An id as typed or chosen (text, or an id already), or None when empty, not a number, or beyond what an id
    can be. isdecimal, not isdigit: "²" is a digit that int() refuses."""
    text = "" if value is None else str(value)
    if not text.isdecimal():
        return None
    number = int(text)
    return number if 0 < number <= INT64_MAX else None


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when absent, not a number, or beyond what an id can be."""
    return id_from(request.args.get(name, ""))


def escape_like(text: str) -> str:
    """Search text for a LIKE pattern with `%`, `_` and the escape character itself matched literally
    (use with `.like(pattern, escape="\\\\")`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
