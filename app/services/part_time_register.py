"""Part-time timetables on the register and in welfare (issue 15 items 5, 6; policy 9.6).

- Each session an approved timetable removes is an expected session of kind PART_TIME_TIMETABLE, code C2, with no
  placement or provider: app.services.attendance.ensure_expected_sessions calls `ensure_part_time_sessions`, so the
  today page, the MIS export and the percentages see them as they see every other session. Sessions at a provider
  stay the placement's own. From the end date (or an earlier return to full time) nothing more is made.
- On each school day the timetable gives no on-site session, a welfare check for the DSL or the named person
  (`ensure_welfare_checks`), recorded like every welfare check; its task escalates as WELFARE_CHECK tasks do.

Everything runs inside a school's tenant scope; callers commit. This module does not import
app.services.attendance (which calls it).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import School, SessionOfDay
from app.models.attendance import AttendanceSession, WelfareCheck
from app.models.part_time import PartTimeTimetable, PartTimeTimetableSession
from app.policy.attendance import SessionKind, WelfareCheckReason
from app.policy.part_time_timetables import Arrangement, TimetableStatus, removed_sessions, welfare_check_needed
from app.school_calendar import SchoolCalendar
from app.services.register_rows import add_sessions_once
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, TaskSpec, ensure_tasks

WELFARE_SUBJECT = "welfare_check"  # as app.services.welfare_checks: recording the check completes the task


def in_force_on(day: dt.date):
    """SQL condition: an approved timetable applies on this day (from its start to its end date, up to the day
    before an early return to full time)."""
    return and_(PartTimeTimetable.status.in_((TimetableStatus.ACTIVE, TimetableStatus.ENDED)),
                PartTimeTimetable.approved_at.is_not(None), PartTimeTimetable.archived_at.is_(None),
                PartTimeTimetable.start_date <= day, PartTimeTimetable.end_date >= day,
                or_(PartTimeTimetable.ended_on.is_(None), PartTimeTimetable.ended_on > day))


def timetables_in_force(day: dt.date) -> list[PartTimeTimetable]:
    return list(db.session.scalars(select(PartTimeTimetable).where(in_force_on(day))
                                   .options(selectinload(PartTimeTimetable.sessions),
                                            selectinload(PartTimeTimetable.pupil))
                                   .order_by(PartTimeTimetable.id)))


def part_time_sessions_missing_on(day: dt.date):
    """SQL condition: a timetable in force removes a session this weekday not yet made (ORed into
    app.services.attendance.sessions_missing_on, so the check stays one query)."""
    made = exists().where(AttendanceSession.part_time_timetable_id == PartTimeTimetable.id,
                          AttendanceSession.day == day, AttendanceSession.session == PartTimeTimetableSession.session)
    return exists().where(
        PartTimeTimetableSession.timetable_id == PartTimeTimetable.id,
        PartTimeTimetableSession.weekday == day.weekday(),
        PartTimeTimetableSession.arrangement == Arrangement.NOT_IN_EDUCATION, in_force_on(day), ~made)


def ensure_part_time_sessions(calendar: SchoolCalendar, day: dt.date, school: School) -> int:
    """Policy 9.6 (absences recorded with the correct codes): make the day's C2 sessions of every timetable in
    force, once each (a unique key on timetable, day and session). None on a day that is not a school day."""
    if not calendar.is_school_day(day):
        return 0
    timetables = timetables_in_force(day)
    if not timetables:
        return 0
    made_already = set(db.session.execute(
        select(AttendanceSession.part_time_timetable_id, AttendanceSession.session)
        .where(AttendanceSession.day == day, AttendanceSession.part_time_timetable_id.is_not(None))).all())
    rows = []
    for timetable in timetables:
        for entry in removed_sessions(timetable.entries, day):
            if (timetable.id, entry.session) in made_already:
                continue
            rows.append(dict(
                school_id=school.id, placement_id=None, provider_id=None, part_time_timetable_id=timetable.id,
                pupil_id=timetable.pupil_id, day=day, session=SessionOfDay(entry.session),
                kind=SessionKind.PART_TIME_TIMETABLE, starts_at=entry.starts_at, ends_at=entry.ends_at,
                register_code="C2", cutoff_at=clock.local_datetime(day, entry.starts_at)))
            made_already.add((timetable.id, entry.session))
    return add_sessions_once(rows)


# --- welfare on days with no on-site session (9.6) ------------------------------------------------------------


def welfare_task_key(timetable_id: int, day: dt.date) -> str:
    return f"part-time-welfare:{timetable_id}:{day.isoformat()}"


def _detail(timetable: PartTimeTimetable, day: dt.date) -> str:
    lines = [f"{timetable.pupil.display_name} has no on-site session on {day:%A %-d %B} under a part-time "
             "timetable (policy 9.6): check on their safety and welfare by a call, an online meeting or a home visit."]
    for carer in timetable.pupil.carers:
        if carer.archived_at is None:
            lines.append(f"Parent/carer: {carer.name}{', ' + carer.phone if carer.phone else ''}"
                         f"{', ' + carer.email if carer.email else ''}")
    return "\n".join(lines)


def ensure_welfare_checks(calendar: SchoolCalendar, day: dt.date,
                          now: dt.datetime | None = None) -> list[WelfareCheck]:
    """Policy 9.6: for every timetable in force that gives its pupil no on-site session on this school day, the
    day's welfare check (one per timetable and day: a unique key) and its task for the DSL or the named person,
    due by the end of the school day; missed, it escalates as every welfare-check task does. Nothing on a day
    that is not a school day. Returns the checks made now."""
    if not calendar.is_school_day(day):
        return []
    now = now or clock.now()
    due = [t for t in timetables_in_force(day) if welfare_check_needed(t.entries, day, calendar)]
    if not due:
        return []
    have = set(db.session.scalars(select(WelfareCheck.part_time_timetable_id).where(
        WelfareCheck.due_on == day, WelfareCheck.part_time_timetable_id.in_([t.id for t in due]))))
    made: list[tuple[PartTimeTimetable, WelfareCheck]] = []
    for timetable in due:
        if timetable.id in have:
            continue
        check = WelfareCheck(school_id=timetable.school_id, pupil_id=timetable.pupil_id,
                             part_time_timetable_id=timetable.id, due_on=day,
                             reason=WelfareCheckReason.PART_TIME_TIMETABLE, raised_at=now)
        try:
            with db.session.begin_nested():  # another sweep may have made it meanwhile
                db.session.add(check)
        except IntegrityError:
            continue
        made.append((timetable, check))
    ensure_tasks([TaskSpec(TaskKind.WELFARE_CHECK, welfare_task_key(t.id, day),
                           f"Welfare check: {t.pupil.display_name} (no on-site session today, part-time timetable)",
                           due_at=clock.local_datetime(day, END_OF_SCHOOL_DAY),
                           assigned_user_id=t.welfare_contact_id, subject=(WELFARE_SUBJECT, check.id),
                           link=("welfare_checks.show", {"welfare_check_id": check.id}), urgent=True,
                           detail=_detail(t, day)) for t, check in made])
    return [check for _, check in made]
