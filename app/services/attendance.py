"""Daily attendance at providers (issue 6; policy 4.5, 7.8): the sessions each pupil is due at a provider today,
made from the placements' weekly patterns, and confirming what happened.

The rules are app.policy.attendance (which sessions, which register code, when the cut-off is); this module
keeps them in the database. Sessions are *made* for a day (`ensure_expected_sessions`) by the morning sweep, and
again by the cut-off sweep and the today page, so a placement started or a pattern changed during the day is
picked up. Once made, a session stays: the pattern may change later, the record of what was expected that day
does not. Everything here runs inside a school's tenant scope; `confirm_session` leaves committing to the caller.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, Pupil, School, User, WeeklySession
from app.models.attendance import AttendanceSession, ConfirmedVia
from app.policy.attendance import (
    ABSENCE_REASON_CODES,
    Outcome,
    SessionKind,
    SessionPattern,
    cutoff_at,
    expected_sessions,
    register_code,
)
from app.school_calendar import SchoolCalendar
from app.services.flexi_register import ensure_flexi_home_sessions, flexi_sessions_missing_on
from app.services.part_time_register import ensure_part_time_sessions, part_time_sessions_missing_on
from app.services.register_rows import add_sessions_once
from app.services.tasks import TaskKind, complete_tasks_for
from app.services.welfare_checks import raise_welfare_check_if_due
from tenants import require_school_id

SUBJECT = "attendance_session"  # Task.subject_type of the tasks about one session


def running_on(day: dt.date):
    """SQL condition: the placement runs on this day (started on or before it, not ended before it, not
    archived). The one definition the sessions made, the today page and the cut-off sweep share."""
    return and_(Placement.status.in_((PlacementStatus.ACTIVE, PlacementStatus.ENDED)),
                Placement.archived_at.is_(None),
                Placement.start_date <= day,
                or_(Placement.ended_on.is_(None), Placement.ended_on >= day))


def placements_due_on(day: dt.date) -> list[Placement]:
    """The school's placements that run on this day with a session in their weekly pattern that weekday,
    their weekly patterns loaded."""
    return list(db.session.scalars(
        select(Placement)
        .where(running_on(day),
               Placement.id.in_(select(WeeklySession.placement_id).where(WeeklySession.weekday == day.weekday())))
        .options(selectinload(Placement.weekly_sessions))
    ))


def sessions_missing_on(day: dt.date) -> bool:
    """Whether a placement running on the day has a session in its weekly pattern not yet made: one query, so a
    page or a sweep every few minutes does not re-read every placement each time; when it answers True,
    ensure_expected_sessions decides exactly."""
    made = exists().where(AttendanceSession.placement_id == Placement.id, AttendanceSession.day == day,
                          AttendanceSession.session == WeeklySession.session)
    return bool(db.session.scalar(select(or_(exists().where(
        WeeklySession.placement_id == Placement.id, WeeklySession.weekday == day.weekday(), running_on(day),
        ~made), flexi_sessions_missing_on(day), part_time_sessions_missing_on(day)))))


def _pattern(placement: Placement) -> list[SessionPattern]:
    return [SessionPattern(w.weekday, w.session, w.starts_at, w.ends_at) for w in placement.weekly_sessions]


def ensure_expected_sessions(calendar: SchoolCalendar, day: dt.date, school: School | None = None) -> int:
    """Policy 4.5, 7.8: make the day's expected sessions of the current school that are not yet made, from each
    running placement's weekly pattern on the school's calendar (none on a day that is not a school day).
    Idempotent; returns how many were made. The cut-off of each is the school's (`attendance_cutoff_minutes`
    after the provider's start time)."""
    if not calendar.is_school_day(day):
        return 0
    school = school or db.session.get(School, require_school_id())
    made = ensure_flexi_home_sessions(calendar, day, school)  # section 10: home sessions, code C
    made += ensure_part_time_sessions(calendar, day, school)  # 9.6: sessions a part-time timetable removes, C2
    placements = placements_due_on(day)
    if not placements:
        return made
    made_already = set(db.session.execute(
        select(AttendanceSession.placement_id, AttendanceSession.session)
        .where(AttendanceSession.day == day)).all())
    rows = []
    for placement in placements:
        end = placement.ended_on or placement.planned_end_date
        if placement.status is PlacementStatus.ACTIVE and placement.ended_on is None:
            end = None  # a planned end passed without the placement being ended: still expected (and visible)
        for slot in expected_sessions(_pattern(placement), calendar, day, day, placement.start_date, end):
            if (placement.id, slot.session) in made_already:
                continue
            rows.append(dict(
                school_id=school.id, placement_id=placement.id, pupil_id=placement.pupil_id,
                provider_id=placement.provider_id, day=day, session=slot.session, starts_at=slot.starts_at,
                ends_at=slot.ends_at, cutoff_at=cutoff_at(slot.starts_at, day, school.attendance_cutoff_minutes)))
            made_already.add((placement.id, slot.session))
    return made + add_sessions_once(rows)


def sessions_on(day: dt.date, provider_id: int | None = None) -> list[AttendanceSession]:
    """The day's sessions of the current school, unconfirmed first, then by start time and pupil, with the
    pupil, provider and placement loaded (a fixed number of queries however many there are)."""
    query = (select(AttendanceSession).join(Pupil, Pupil.id == AttendanceSession.pupil_id)
             .where(AttendanceSession.day == day)
             .options(selectinload(AttendanceSession.pupil),
                      selectinload(AttendanceSession.provider).selectinload(Provider.contacts),
                      selectinload(AttendanceSession.placement)))
    if provider_id is not None:
        query = query.where(AttendanceSession.provider_id == provider_id)
    query = query.order_by(AttendanceSession.confirmed_at.is_not(None), AttendanceSession.starts_at,
                           Pupil.last_name, Pupil.first_name, AttendanceSession.session)
    return list(db.session.scalars(query))


# --- confirming -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """What is known about one session, from whom."""

    outcome: str | None
    via: str | None
    minutes_late: int | None = None
    absence_reason: str | None = None
    note: str | None = None


def confirmation_errors(confirmation: Confirmation) -> dict[str, str]:
    """The problems with a confirmation, by field (empty when it can be recorded)."""
    errors: dict[str, str] = {}
    try:
        outcome = Outcome(confirmation.outcome)
    except ValueError:
        errors["outcome"] = "Choose attended, late or absent."
        outcome = None
    try:
        ConfirmedVia(confirmation.via)
    except ValueError:
        errors["via"] = "Say how you know: call, email, the provider, or a parent."
    if outcome is Outcome.LATE:
        if confirmation.minutes_late is None:
            errors["minutes_late"] = "Enter how many minutes late the pupil arrived."
        elif not 0 < confirmation.minutes_late <= 360:
            errors["minutes_late"] = "Minutes late must be between 1 and 360."
    elif confirmation.minutes_late is not None:
        errors["minutes_late"] = "Minutes late are only for a late arrival."
    if outcome is Outcome.ABSENT:
        if confirmation.absence_reason and confirmation.absence_reason not in ABSENCE_REASON_CODES:
            errors["absence_reason"] = "Choose an absence reason from the list."
    elif confirmation.absence_reason:
        errors["absence_reason"] = "An absence reason is only for an absence."
    if confirmation.note and len(confirmation.note) > 2000:
        errors["note"] = "Keep the note to 2,000 characters."
    return errors


class ConfirmationRefused(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def confirm_session(session: AttendanceSession, confirmation: Confirmation, *, user_id: int | None,
                    provider_link_id: int | None = None, at: dt.datetime | None = None) -> AttendanceSession:
    """Policy 4.5: record what happened at one session, who said so and how; the register code follows
    (app.policy.attendance.register_code). A correction replaces the earlier mark (the audit trail keeps it).
    Closes the session's attendance prompt; an absence with no reason raises a welfare check at once (KCSIE).
    Raises ConfirmationRefused (errors by field) with nothing changed. The caller commits."""
    errors = confirmation_errors(confirmation)
    if session.kind is not SessionKind.PROVISION:
        errors["kind"] = "This session's register code is fixed by the arrangement; there is nothing to confirm."
    if errors:
        raise ConfirmationRefused(errors)
    at = at or clock.now()
    outcome = Outcome(confirmation.outcome)
    session.outcome = outcome
    session.minutes_late = confirmation.minutes_late if outcome is Outcome.LATE else None
    session.absence_reason = (confirmation.absence_reason or None) if outcome is Outcome.ABSENT else None
    session.register_code = register_code(outcome, session.placement.arranged_by, session.absence_reason,
                                          minutes_late=session.minutes_late, kind=session.kind)
    session.note = (confirmation.note or "").strip() or None
    session.confirmed_via = ConfirmedVia(confirmation.via)
    session.confirmed_by_id = user_id
    session.provider_link_id = provider_link_id
    session.confirmed_at = at
    user = db.session.get(_user_model(), user_id) if user_id is not None else None
    complete_tasks_for(SUBJECT, session.id, [TaskKind.ATTENDANCE_UNCONFIRMED], user)

    raise_welfare_check_if_due(session, at)
    return session


def confirm_sessions(sessions: Iterable[AttendanceSession], confirmation: Confirmation, *, user_id: int | None,
                     provider_link_id: int | None = None) -> list[AttendanceSession]:
    """Confirm several sessions alike (a whole provider's pupils arrived). All or nothing."""
    errors = confirmation_errors(confirmation)
    if errors:
        raise ConfirmationRefused(errors)
    at = clock.now()
    return [confirm_session(s, confirmation, user_id=user_id, provider_link_id=provider_link_id, at=at)
            for s in sessions]


def _user_model():
    return User


def unconfirmed_past_cutoff(now: dt.datetime, day: dt.date) -> list[AttendanceSession]:
    """The day's sessions still unconfirmed whose cut-off has passed (the cut-off sweep's work), and confirmed
    absences with no reason that have no welfare check yet."""
    return list(db.session.scalars(
        select(AttendanceSession)
        .where(AttendanceSession.day == day,
               or_(and_(AttendanceSession.confirmed_at.is_(None), AttendanceSession.cutoff_at <= now),
                   and_(AttendanceSession.outcome == Outcome.ABSENT,
                        AttendanceSession.welfare_check_raised_at.is_(None))))
        .options(selectinload(AttendanceSession.pupil), selectinload(AttendanceSession.placement),
                 selectinload(AttendanceSession.provider))))
