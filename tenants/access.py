"""Fetch and check together: a record of the current school by id, or `RecordNotFound` (Zulip's `access_*` idea).

Another school's id is "not found", never "forbidden": the scoping listener already hides it, and this says so
in one place. The named `access_placement`, `access_pupil`, ... in the services call it. The kernel raises its
own `RecordNotFound`; the app maps it, in one error handler, to the 404 page or the API's JSON 404.
"""
from __future__ import annotations

import re

from tenants.context import require_school_id
from tenants.wiring import hooks


class RecordNotFound(LookupError):
    """No such record in the current scope (another school's record included). Shown as a 404."""

    def __init__(self, what: str = "record"):
        self.what = what
        self.description = f"No such {what}."
        super().__init__(self.description)


def record_label(model) -> str:
    """A model's name in words, for "No such ...": WelfareCheck -> "welfare check", QAActivity -> "QA activity"."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z][a-z]*|[a-z]+", model.__name__)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def school_record_or_404(model, record_id: int, *, include_archived: bool = False, what: str | None = None,
                         options: tuple = ()):
    """The current school's record of this model (archived ones only with `include_archived`), or
    `RecordNotFound`. The scoping adds the school to the look-up; outside a school scope it refuses.
    `options`: loader options (the relationships a page shows, loaded with the record)."""
    require_school_id()
    record = hooks().session().get(model, record_id, options=list(options))
    if record is None or (not include_archived and getattr(record, "archived_at", None) is not None):
        raise RecordNotFound(what or record_label(model))
    return record
