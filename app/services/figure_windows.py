"""The periods the figures are counted for (app.services.ap_figures), as SQL: a small table of the windows to join
records to, and the conditions that put a record's school and dates in a window.

Schools that share the same windows (schools normally keep their LA's term dates) form one group: the table has
one row per distinct window and names its schools as an IN list, so a statement's size, and SQLAlchemy's work to
compile it, do not grow with the number of schools (300 literal rows for 50 schools' six half-terms cost 0.45 s
to compile on the large trust)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import Date, Integer, String, and_, literal, or_, select, union_all

from app import clock
from app.models.types import UTCDateTime

# (the schools, their windows): see the module.
Groups = list[tuple[list[int], list]]


def window_groups(windows: dict[int, list]) -> Groups:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for school_id, ws in windows.items():
        groups[tuple(ws)].append(school_id)
    return [(ids, list(ws)) for ws, ids in groups.items()]


def start_of(day: dt.date) -> dt.datetime:
    """The first instant of a school day, for records dated by an instant (tasks' due times)."""
    return clock.local_datetime(day, dt.time(0))


def windows_table(groups: Groups):
    """The windows as a small table (grp, key, first_day, last_day, since, until) to join rows to: one SELECT of
    literals per window of each group, UNION ALL (portable to SQLite); `since`/`until` bound its days as instants.
    A join lets PostgreSQL range-scan the schools' days on the (school_id, day) index instead of testing every row
    against every window."""
    parts = [select(literal(n, Integer).label("grp"), literal(w.key, String).label("key"),
                    literal(w.first_day, Date).label("first_day"), literal(w.last_day, Date).label("last_day"),
                    literal(start_of(w.first_day), UTCDateTime).label("since"),
                    literal(start_of(w.last_day + dt.timedelta(days=1)), UTCDateTime).label("until"))
             for n, (_, ws) in enumerate(groups) for w in ws]
    return union_all(*parts).subquery("windows") if len(parts) > 1 else parts[0].subquery("windows")


def of_group(groups: Groups, table, school_col):
    """The row's school is one of the schools of the window's group."""
    if len(groups) == 1:
        return school_col.in_(groups[0][0])
    return or_(*[and_(table.c.grp == n, school_col.in_(ids)) for n, (ids, _) in enumerate(groups)])


def in_window(groups: Groups, table, school_col, day_col):
    """The row (its school, its day) falls in a window of its school."""
    return and_(of_group(groups, table, school_col), day_col >= table.c.first_day, day_col <= table.c.last_day)


def overlap(groups: Groups, school_col, start_col, end_col):
    """Rows whose [start, end] overlaps the span of their school's windows (end None: still running); the caller
    keeps those that run in a window."""
    return or_(*[and_(school_col.in_(ids), start_col <= max(w.last_day for w in ws),
                      or_(end_col.is_(None), end_col >= min(w.first_day for w in ws)))
                 for ids, ws in groups])
