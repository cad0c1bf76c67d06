"""Demo attendance (issue 6): the demo placements' sessions on the last school days, confirmed as an attendance
officer would (mostly attended by a phone call, a late arrival, an illness reported by a parent), and today's
sessions made and left for the officer to confirm. Fictional records only."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, School, SchoolRole
from app.models.attendance import AttendanceSession
from app.roles import SchoolRoleName
from app.services.attendance import Confirmation, confirm_session, ensure_expected_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope

log = logging.getLogger(__name__)

PAST_SCHOOL_DAYS = 15  # three school weeks: enough for the picture's weeks and this half-term's percentage


def _confirmation(n: int) -> tuple[Confirmation, dt.time]:
    """The n-th past session's mark: now and then a late start or an illness, otherwise attended."""
    if n % 5 == 1:
        return Confirmation("late", "provider", minutes_late=10, note="The bus was late"), dt.time(9, 35)
    if n % 5 == 3:
        return Confirmation("absent", "parent", absence_reason="I", note="Parent rang: a cold"), dt.time(8, 50)
    return Confirmation("attended", "call"), dt.time(9, 40)


def seed_attendance(trust) -> None:
    """Called after the demo placements (inside the demo seed's system scope), before the reviews that count it."""
    today = clock.today()
    school_ids = db.session.scalars(
        select(Placement.school_id).join(School, School.id == Placement.school_id)
        .where(School.trust_id == trust.id, Placement.status.in_([PlacementStatus.ACTIVE, PlacementStatus.ENDED]))
        .distinct()).all()
    if not school_ids:
        log.warning("demo attendance skipped: no active or ended demo placement")
    for school_id in school_ids:
        officer_id = db.session.scalar(select(SchoolRole.user_id).where(
            SchoolRole.school_id == school_id, SchoolRole.role == SchoolRoleName.ATTENDANCE_OFFICER))
        with school_scope(school_id):
            school = db.session.get(School, school_id)
            calendar = calendar_for_school(school_id)
            days = [d for d in calendar.school_days_between(today - dt.timedelta(days=60), today)][
                -(PAST_SCHOOL_DAYS + 1):]
            for day in days:
                ensure_expected_sessions(calendar, day, school)
            past = db.session.scalars(select(AttendanceSession).where(AttendanceSession.day < today)
                                      .order_by(AttendanceSession.day, AttendanceSession.session,
                                                AttendanceSession.id)).all()
            for n, session in enumerate(past):
                confirmation, at = _confirmation(n)
                confirm_session(session, confirmation, user_id=officer_id,
                                at=clock.local_datetime(session.day, at))
            db.session.flush()
