"""The roll-up of attendance per school per day (app.models.attendance_day_counts), so that the trends of six
half-terms (the trust dashboard, the reports: app.services.ap_figures) do not count a year of sessions on every
request. Past days hardly change, so:

- the periodic job `attendance-roll-up` (jobs.attendance_sweeps) counts each school's past days not yet rolled
  up, and marks each such day rolled up (a row with no kind);
- the figures read the counts of the days rolled up and count the other days' sessions live;
- any change to a day's sessions removes that (school, day)'s rows in the same transaction (a flush listener),
  and a change of who arranged a placement removes the school's rows, so a row is never stale. Bulk UPDATE and
  DELETE of sessions and placements are refused (app.audit: they are audited), so every change goes through a
  flush. A GET never writes: a day not rolled up is counted live until the job has run.

The job and the writers meet on the school's row: a writer holds it FOR SHARE from its flush to its commit, the
job FOR NO KEY UPDATE while it counts (PostgreSQL), so the job never commits the counts of a change it could not
see, and a writer's removal always sees the job's committed rows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, delete, event, false, func, insert, or_, select, tuple_
from sqlalchemy.orm import attributes

from app import clock
from app.extensions import db
from app.models import AttendanceDayCount, AttendanceSession, Placement, School
from tenants import current_school_id


def roll_up_school(today: dt.date) -> int:
    """Count the days of the school in scope before yesterday (today's and yesterday's sessions are still being
    confirmed; a day's margin also covers clocks a little apart) that are not rolled up yet, from its first
    session on. How many days it rolled up. Commits nothing (the sweep does)."""
    school_id = current_school_id()
    before = today - dt.timedelta(days=1)
    db.session.execute(select(School.id).where(School.id == school_id).with_for_update(key_share=True))
    first = db.session.scalar(select(func.min(AttendanceSession.day)).where(AttendanceSession.school_id == school_id))
    if first is None or first >= before:
        return 0
    covered = set(db.session.scalars(select(AttendanceDayCount.day).where(
        AttendanceDayCount.school_id == school_id, AttendanceDayCount.kind.is_(None))))
    days = [first + dt.timedelta(days=n) for n in range((before - first).days)]
    missing = [d for d in days if d not in covered]
    if not missing:
        return 0
    s = AttendanceSession
    counts = (select(s.school_id, s.day, s.kind, s.register_code, Placement.arranged_by, func.count())
              .join(Placement, Placement.id == s.placement_id)
              .where(s.school_id == school_id, _days_in(s.day, _ranges(days, set(missing))))
              .group_by(s.school_id, s.day, s.kind, s.register_code, Placement.arranged_by))
    c = AttendanceDayCount.__table__.c
    db.session.execute(insert(AttendanceDayCount.__table__).from_select(
        [c.school_id, c.day, c.kind, c.register_code, c.arranged_by, c.sessions], counts))
    db.session.execute(insert(AttendanceDayCount.__table__),
                       [{"school_id": school_id, "day": d, "sessions": 0} for d in missing])
    return len(missing)


def _ranges(days: list[dt.date], wanted: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """The runs of `days` (in order) that are all in `wanted`, as (first, last)."""
    runs: list[list[dt.date]] = []
    previous_wanted = False
    for day in days:
        if day in wanted:
            if previous_wanted:
                runs[-1][1] = day
            else:
                runs.append([day, day])
        previous_wanted = day in wanted
    return [(a, b) for a, b in runs]


def _days_in(day_col, ranges):
    return or_(*[day_col.between(a, b) for a, b in ranges]) if ranges else false()


def rolled_up(table, of_school, windows: dict) -> tuple[list[tuple], dict[int, list[tuple[dt.date, dt.date]]]]:
    """The counts of the days rolled up in the windows `table` (school_id, key, first_day, last_day), one row per
    (school, window, code, kind, arranged by), and per school the days to count live, as ranges. A window whose
    rolled-up days are one run (the usual: all but today, or all) is read from here for that run; one with a gap
    (a day changed since the job ran) is counted live whole until the job has run again.
    `of_school(column)`: the condition that a row's school has the window."""
    c = AttendanceDayCount
    rows = db.session.execute(
        select(c.school_id, table.c.key, c.register_code, c.kind, c.arranged_by, func.sum(c.sessions),
               func.count(), func.min(c.day), func.max(c.day))
        .select_from(table)
        .join(c, and_(of_school(c.school_id), c.day >= table.c.first_day, c.day <= table.c.last_day))
        .group_by(c.school_id, table.c.key, c.register_code, c.kind, c.arranged_by)).all()
    runs = {(r[0], r[1]): (_as_date(r[7]), _as_date(r[8])) for r in rows
            if r[3] is None and (_as_date(r[8]) - _as_date(r[7])).days + 1 == r[6]}
    live: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for school_id, ws in windows.items():
        live[school_id] = []
        for w in ws:
            first, last = runs.get((school_id, w.key), (None, None))
            if first is None:
                live[school_id].append((w.first_day, w.last_day))
                continue
            if first > w.first_day:
                live[school_id].append((w.first_day, first - dt.timedelta(days=1)))
            if last < w.last_day:
                live[school_id].append((last + dt.timedelta(days=1), w.last_day))
    rolled = [(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows if r[3] is not None and (r[0], r[1]) in runs]
    return rolled, live


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def live_days(school_col, day_col, live: dict[int, list[tuple[dt.date, dt.date]]]):
    """The condition for the sessions to count live: each school's days not rolled up (`rolled_up`). Schools with
    the same days share one clause, so the statement does not grow with the number of schools."""
    by_ranges: dict[tuple, list[int]] = defaultdict(list)
    for school_id, ranges in live.items():
        if ranges:
            by_ranges[tuple(ranges)].append(school_id)
    return or_(false(), *[and_(school_col.in_(ids), _days_in(day_col, ranges)) for ranges, ids in by_ranges.items()])


# What a count is made of: a change to anything else of a session (its prompt, its note) leaves the counts be.
COUNTED = ("day", "kind", "register_code", "placement_id")


def _note_stale(session, flush_context) -> None:
    """After a flush: remove the rolled-up counts of the past days whose sessions changed what is counted (of the
    whole school when who arranged a placement changed), in the flush's transaction. Today is never rolled up
    (`roll_up_school` stops a day earlier still, for clocks a little apart), so today's registers cost nothing
    here."""
    days, schools = set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, AttendanceSession):
            if obj in session.new or obj in session.deleted:
                days.add((obj.school_id, obj.day))
            elif any(attributes.get_history(obj, name).has_changes() for name in COUNTED):
                days.add((obj.school_id, obj.day))
                days.update((obj.school_id, old) for old in attributes.get_history(obj, "day").deleted or ())
        elif isinstance(obj, Placement) and obj not in session.new and \
                attributes.get_history(obj, "arranged_by").has_changes():
            schools.add(obj.school_id)
    days = {(s, d) for s, d in days if d < clock.today()}
    if not (days or schools):
        return
    connection = session.connection()
    ids = sorted({s for s, _ in days} | schools)
    connection.execute(select(School.id).where(School.id.in_(ids)).order_by(School.id).with_for_update(read=True))
    t = AttendanceDayCount.__table__
    connection.execute(delete(t).where(or_(t.c.school_id.in_(sorted(schools)),
                                           tuple_(t.c.school_id, t.c.day).in_(sorted(days)))))


def install_day_count_upkeep(session_target) -> None:
    """Bound once, from the app factory, on the session class."""
    if not event.contains(session_target, "after_flush", _note_stale):
        event.listen(session_target, "after_flush", _note_stale)
