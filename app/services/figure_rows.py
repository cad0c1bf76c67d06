"""Many kinds of record read in one statement (issue 18): the figures of the use of AP count a dozen kinds of
record (welfare checks, tasks, reviews, complaints, attendance, part-time timetables, flexi-schooling...), each
a small read over the periods asked for. Read one query each, the report and the dashboard paid a round trip per
kind of record; here every kind asks for its rows as a SELECT of the same columns (`record_rows`) and `read_rows`
runs them all as one UNION ALL, so the figures cost the same few statements however many kinds a later section
adds. Each SELECT keeps its own filters (school ids, the period's span, not archived): the union changes how the
rows travel, not which rows are read.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Date, Integer, Select, String, cast, literal, null, select, type_coerce, union_all

from app.extensions import db
from app.models.types import UTCDateTime

# How many columns of each type a row has: the widest kinds set them (attendance four texts, cost four numbers).
_WIDTHS = (("at", UTCDateTime, 2), ("day", Date, 3), ("text", String, 4), ("number", Integer, 4))


def record_rows(tag: str, school_id, *, ats=(), days=(), texts=(), numbers=()) -> Select:
    """A SELECT of one kind of record as the shared columns: `tag` (which kind), `school_id`, `at_1`-`at_2`
    (instants), `day_1`-`day_3` (dates), `text_1`-`text_4` (strings; a stored enum comes back as its value) and
    `number_1`-`number_4`. What the kind leaves out is a typed NULL. Add its FROM, WHERE and GROUP BY as usual."""
    given = {"at": ats, "day": days, "text": texts, "number": numbers}
    columns = [literal(tag, String).label("tag"), type_coerce(school_id, Integer).label("school_id")]
    for name, type_, width in _WIDTHS:
        values = list(given[name])
        if len(values) > width:
            raise ValueError(f"a record row has {width} {name} columns")
        values += [None] * (width - len(values))
        columns += [(cast(null(), type_) if value is None else type_coerce(value, type_)).label(f"{name}_{i}")
                    for i, value in enumerate(values, 1)]
    return select(*columns)


def read_rows(selects: list[Select]) -> dict[str, list]:
    """Every SELECT of `record_rows` run as one statement: the rows by tag (a tag with no rows is absent)."""
    by_tag: dict[str, list] = defaultdict(list)
    if not selects:
        return by_tag
    records = (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("records")
    for row in db.session.execute(select(records)):
        by_tag[row.tag].append(row)
    return by_tag
