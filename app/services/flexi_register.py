"""Flexi-schooling in the register (policy 10.3, 10.5; attendance-codes.md): each school day an agreement runs,
the sessions its pattern puts at home are expected sessions of kind `flexi_schooling_home`, code C. They are
made beside the placements' sessions (app.services.attendance.ensure_expected_sessions calls in here) and,
like them, kept once made; withdrawing an agreement removes any made for days after its end.

A home session has no provider and nobody confirms it: its code is fixed by the agreement, so it is settled
(`confirmed_at`, `register_code`) when it is made and never prompts the attendance officer.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, and_, cast, exists, false, or_, select

from app import clock
from app.extensions import db
from app.models import AttendanceSession, FlexiAgreement, School, SessionOfDay
from app.policy.attendance import SessionKind, register_code
from app.policy.flexi_schooling import HOME_SESSION_TIMES, WEEKDAY_KEYS, home_sessions_on
from app.school_calendar import SchoolCalendar
from app.services.register_rows import add_sessions_once

HOME_CODE = register_code(None, "school", kind=SessionKind.FLEXI_SCHOOLING_HOME)  # "C"


def _running_on(day: dt.date):
    return and_(FlexiAgreement.archived_at.is_(None), FlexiAgreement.start_date <= day,
                or_(FlexiAgreement.end_date.is_(None), FlexiAgreement.end_date >= day))


def agreements_running_on(day: dt.date) -> list[FlexiAgreement]:
    return list(db.session.scalars(select(FlexiAgreement).where(_running_on(day)).order_by(FlexiAgreement.id)))


def flexi_sessions_missing_on(day: dt.date):
    """SQL condition: an agreement running on the day whose pattern has a session at home that weekday has none
    made that day yet (app.services.attendance.sessions_missing_on asks it in the same query as the
    placements')."""
    made = exists().where(AttendanceSession.flexi_agreement_id == FlexiAgreement.id, AttendanceSession.day == day)
    if day.weekday() > 4:
        return false()
    weekday = WEEKDAY_KEYS[day.weekday()]
    # The pattern is a JSON list of "mon_am" strings: its text holds the weekday's key when it has that weekday.
    has_weekday = cast(FlexiAgreement.home_sessions, String).like(f'%"{weekday}_%')
    return exists().where(_running_on(day), has_weekday, ~made)


def ensure_flexi_home_sessions(calendar: SchoolCalendar, day: dt.date, school: School) -> int:
    """Make the day's home sessions (code C) of the current school's running agreements not yet made; none on a
    day that is not a school day. Idempotent and safe to race; returns how many were made (flushed)."""
    if not calendar.is_school_day(day):
        return 0
    agreements = agreements_running_on(day)
    if not agreements:
        return 0
    made_already = set(db.session.execute(
        select(AttendanceSession.flexi_agreement_id, AttendanceSession.session)
        .where(AttendanceSession.day == day, AttendanceSession.flexi_agreement_id.is_not(None))).all())
    now, rows = clock.now(), []
    for agreement in agreements:
        for session in home_sessions_on(agreement.home_sessions, day):
            if (agreement.id, session) in made_already:
                continue
            starts_at, ends_at = HOME_SESSION_TIMES[session]
            rows.append(dict(
                school_id=school.id, flexi_agreement_id=agreement.id, pupil_id=agreement.pupil_id, day=day,
                session=SessionOfDay(session), kind=SessionKind.FLEXI_SCHOOLING_HOME, starts_at=starts_at,
                ends_at=ends_at, cutoff_at=clock.local_datetime(day, starts_at), register_code=HOME_CODE,
                confirmed_at=now))
            made_already.add((agreement.id, session))
    return add_sessions_once(rows)
