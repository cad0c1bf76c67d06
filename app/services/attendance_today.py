"""The attendance officer's day (issue 6 items 2, 4): the day's expected sessions across the school, unconfirmed
first, with each provider's contacts and any open welfare check, and the register-code export for the MIS.

The rules are app.policy.attendance; making and confirming sessions is app.services.attendance. This module
reads for the page and the export in a fixed number of queries however much history there is: the page is
opened all morning. Everything runs in the school's tenant scope; callers commit.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import Placement, Provider, Pupil, School, User
from app.models.attendance import AttendanceSession, ConfirmedVia, WelfareCheck
from app.policy.attendance import ABSENCE_REASONS, NO_REASON, SCHOOL, Outcome, SessionKind, register_code
from app.school_calendar import CalendarNotEntered, DayDescription, SchoolCalendar
from app.services.attendance import (
    Confirmation,
    ConfirmationRefused,
    confirm_session,
    confirm_sessions,
    ensure_expected_sessions,
    sessions_missing_on,
)
from app.services.results import Result, refused
from tenants.access import RecordNotFound

VIA_LABELS = {ConfirmedVia.CALL: "Phone call", ConfirmedVia.EMAIL: "Email", ConfirmedVia.PROVIDER: "The provider",
              ConfirmedVia.PROVIDER_LINK: "The provider's link", ConfirmedVia.PARENT: "A parent or carer"}
# What a person may choose on the page or in the API; PROVIDER_LINK is set only by the provider's own page.
VIA_CHOICES = tuple((v.value, VIA_LABELS[v]) for v in ConfirmedVia if v is not ConfirmedVia.PROVIDER_LINK)
# N is the forms' empty choice ("no reason given yet"), so it is not listed twice.
ABSENCE_REASON_CHOICES = tuple((r.code, f"{r.code}: {r.label}") for r in ABSENCE_REASONS if r.code != NO_REASON)
MAX_EXPORT_DAYS = 400  # one academic year and a little: the MIS takes a term or a year at a time
HOME = "Home (flexi-schooling)"  # where a flexi-schooling home session is (section 10)


def needs_confirming(session: AttendanceSession) -> bool:
    """Only a provision session depends on what the provider reports (C2/C sessions have a fixed code)."""
    return session.kind is SessionKind.PROVISION and not session.is_confirmed


def code_of(session: AttendanceSession) -> str | None:
    """The session's register code: as confirmed; fixed for a part-time timetable or flexi-schooling session
    (app.policy.attendance.register_code); None while a provision session is unconfirmed."""
    if session.kind is not SessionKind.PROVISION:  # fixed: who arranged a provision does not matter
        return register_code(None, SCHOOL, kind=session.kind)
    return session.register_code if session.is_confirmed else None


# --- making the day ---------------------------------------------------------------------------------------------


def make_day(calendar: SchoolCalendar, day: dt.date, school: School) -> int:
    """Make the day's expected sessions (policy 4.5, 7.8) if any is missing: starting a placement after the 07:30
    sweep calls it, so the placement appears on the today page at once (pages only read). Never for a day still to
    come (the pattern may change before it). Returns how many were made, and commits them (with their audit rows)."""
    if day > clock.today() or not calendar.is_school_day(day) or not sessions_missing_on(day):
        return 0
    made = ensure_expected_sessions(calendar, day, school)
    db.session.commit()
    return made


def school_day_before(calendar: SchoolCalendar, day: dt.date) -> dt.date | None:
    try:
        return calendar.nth_school_day_before(day, 1)
    except CalendarNotEntered:
        return None


def school_day_after(calendar: SchoolCalendar, day: dt.date) -> dt.date | None:
    """The next school day, if it is not still to come."""
    try:
        following = calendar.nth_school_day_after(day, 1)
    except CalendarNotEntered:
        return None
    return following if following <= clock.today() else None


# --- the today page ---------------------------------------------------------------------------------------------


@dataclass
class ProviderToday:
    provider: Provider
    contacts: list
    sessions: int = 0
    unconfirmed: int = 0


@dataclass
class Day:
    day: dt.date
    description: DayDescription
    sessions: list[AttendanceSession] = field(default_factory=list)
    open_checks: dict[int, list[WelfareCheck]] = field(default_factory=dict)  # by pupil id
    providers: list[ProviderToday] = field(default_factory=list)

    @property
    def is_school_day(self) -> bool:
        return self.description.is_school_day

    @property
    def unconfirmed(self) -> list[AttendanceSession]:
        return [s for s in self.sessions if needs_confirming(s)]

    @property
    def confirmed(self) -> list[AttendanceSession]:
        return [s for s in self.sessions if not needs_confirming(s)]


def day_sessions(day: dt.date, *, provider_id: int | None = None) -> list[AttendanceSession]:
    """The day's sessions, unconfirmed first, then by start time, provider and pupil; pupil, provider (with its
    contacts), placement and confirmer in two queries."""
    # Only the columns the page shows of the pupil, provider, placement and confirmer: the rows stay narrow.
    query = (select(AttendanceSession).join(Pupil, Pupil.id == AttendanceSession.pupil_id)
             .outerjoin(Provider, Provider.id == AttendanceSession.provider_id)  # home and C2 sessions have none
             .where(AttendanceSession.day == day)
             .options(joinedload(AttendanceSession.pupil).load_only(Pupil.first_name, Pupil.last_name,
                                                                    Pupil.preferred_name),
                      joinedload(AttendanceSession.placement).load_only(Placement.arranged_by),
                      joinedload(AttendanceSession.confirmed_by).load_only(User.full_name),
                      joinedload(AttendanceSession.provider).load_only(Provider.name, Provider.phone, Provider.email)
                      .selectinload(Provider.contacts))
             .order_by(AttendanceSession.confirmed_at.is_not(None), AttendanceSession.starts_at, Provider.name,
                       Pupil.last_name, Pupil.first_name, AttendanceSession.session))
    if provider_id is not None:
        query = query.where(AttendanceSession.provider_id == provider_id)
    return list(db.session.scalars(query).unique())


def open_welfare_checks(pupil_ids: Iterable[int]) -> dict[int, list[WelfareCheck]]:
    """The welfare checks not yet recorded of these pupils, by pupil: nobody chases a pupil the DSL is already
    checking on."""
    ids = sorted(set(pupil_ids))
    found: dict[int, list[WelfareCheck]] = {}
    if not ids:
        return found
    for check in db.session.scalars(select(WelfareCheck).where(
            WelfareCheck.pupil_id.in_(ids), WelfareCheck.recorded_at.is_(None), WelfareCheck.archived_at.is_(None))
            .order_by(WelfareCheck.raised_at)):
        found.setdefault(check.pupil_id, []).append(check)
    return found


def attendance_day(calendar: SchoolCalendar, day: dt.date) -> Day:
    """Everything the today page shows for a day, as recorded (the 07:30 sweep made the day's sessions)."""
    description = calendar.describe(day)
    if not description.is_school_day:
        return Day(day, description)
    sessions = day_sessions(day)
    providers: dict[int, ProviderToday] = {}
    for s in sessions:
        if s.provider_id is None:
            continue  # a flexi-schooling home session or a part-time timetable's C2: no provider
        line = providers.get(s.provider_id)
        if line is None:
            line = providers[s.provider_id] = ProviderToday(
                s.provider, [c for c in s.provider.contacts if c.archived_at is None])
        line.sessions += 1
        line.unconfirmed += needs_confirming(s)
    return Day(day, description, sessions, open_welfare_checks(s.pupil_id for s in sessions),
               sorted(providers.values(), key=lambda p: (p.unconfirmed == 0, p.provider.name)))


def session_of_day(session_id: int) -> AttendanceSession | None:
    """One session of the current school with what confirming it needs, or None."""
    return db.session.scalar(select(AttendanceSession).where(AttendanceSession.id == session_id)
                             .options(joinedload(AttendanceSession.placement), joinedload(AttendanceSession.pupil),
                                      joinedload(AttendanceSession.provider)))


def access_session_of_day(session_id: int) -> AttendanceSession:
    """`session_of_day`, or `RecordNotFound` (another school's session is not found: the tenant scope hides it)."""
    session = session_of_day(session_id)
    if session is None:
        raise RecordNotFound("attendance session")
    return session


def unconfirmed_of_provider(day: dt.date, provider_id: int) -> list[AttendanceSession]:
    return [s for s in day_sessions(day, provider_id=provider_id) if needs_confirming(s)]


def confirmation_from(outcome: str | None, via: str | None, minutes_late: str | None, absence_reason: str | None,
                      note: str | None = None) -> tuple[Confirmation, dict[str, str]]:
    """A confirmation from one session's form, whose buttons share the minutes and reason fields: only the
    pressed button's own detail counts (minutes for Late, the reason for Absent). Problems with the text typed
    come back by field; app.services.attendance.confirmation_errors checks the rest."""
    errors: dict[str, str] = {}
    minutes = None
    if outcome == Outcome.LATE:
        text = (minutes_late or "").strip()
        if text:
            try:
                minutes = int(text)
            except ValueError:
                errors["minutes_late"] = "Enter minutes late as a whole number, for example 15."
    reason = (absence_reason or "").strip() or None if outcome == Outcome.ABSENT else None
    return Confirmation(outcome=outcome, via=via, minutes_late=minutes, absence_reason=reason, note=note), errors


# --- recording (the service commits; views and the API neither commit nor roll back) ----------------------------


def record_confirmation(session: AttendanceSession, confirmation: Confirmation, user_id: int,
                        errors: dict[str, str] | None = None) -> Result:
    """Confirm one session (policy 4.5) and commit; or, with problems (the form's own, or the rules'), nothing
    saved and the problems by field."""
    if not errors:
        try:
            confirm_session(session, confirmation, user_id=user_id)
        except ConfirmationRefused as refused_by_rules:
            errors = refused_by_rules.errors
    if errors:
        return refused(errors)
    db.session.commit()
    return Result(record=session)


def record_provider_attended(sessions: list[AttendanceSession], via: str | None, user_id: int) -> Result:
    """Every one of a provider's unconfirmed sessions of a day as attended (the provider says all arrived); all or
    nothing, committed."""
    try:
        confirm_sessions(sessions, Confirmation(outcome="attended", via=via), user_id=user_id)
    except ConfirmationRefused as refused_by_rules:
        return refused(refused_by_rules.errors)
    db.session.commit()
    return Result(record=sessions)


# --- the export -------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("UPN", "Surname", "First name", "Date", "Session", "Provider", "Outcome", "Minutes late",
                  "Register code", "Status", "Confirmed by", "Confirmed how", "Confirmed at")


def export_problem(first: dt.date, last: dt.date) -> str | None:
    if last < first:
        return "The 'to' date comes before the 'from' date."
    if (last - first).days >= MAX_EXPORT_DAYS:
        return f"Export at most {MAX_EXPORT_DAYS} days at a time."
    return None


def export_sessions(calendar: SchoolCalendar, first: dt.date, last: dt.date, school: School,
                    pupil_id: int | None = None) -> list[AttendanceSession]:
    """Every session from first to last, by date, session, pupil; only one pupil's when pupil_id is given. Reads
    only: the morning sweep makes each school day's sessions (and starting a placement, its own)."""
    criteria = [AttendanceSession.pupil_id == pupil_id] if pupil_id is not None else []
    return list(db.session.scalars(
        select(AttendanceSession).join(Pupil, Pupil.id == AttendanceSession.pupil_id)
        .where(AttendanceSession.day >= first, AttendanceSession.day <= last, *criteria)
        .options(joinedload(AttendanceSession.pupil), joinedload(AttendanceSession.placement),
                 joinedload(AttendanceSession.provider), joinedload(AttendanceSession.confirmed_by))
        .order_by(AttendanceSession.day, AttendanceSession.session, Pupil.last_name, Pupil.first_name,
                  AttendanceSession.id)))


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (names come from people and providers)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def status_of(session: AttendanceSession) -> str:
    if session.kind is not SessionKind.PROVISION:
        return session.kind.value.replace("_", " ")
    return "confirmed" if session.is_confirmed else "unconfirmed"


def export_csv(sessions: Iterable[AttendanceSession]) -> str:
    """Policy 4.5; attendance-codes.md: one row per pupil per session with its register code for the MIS; an
    unconfirmed session has an empty code and says so."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for s in sessions:
        confirmed = s.is_confirmed
        writer.writerow([_cell(v) for v in (
            s.pupil.upn, s.pupil.last_name, s.pupil.first_name, s.day.isoformat(), s.session.value.upper(),
            s.provider.name if s.provider else ("" if s.part_time_timetable_id else HOME),
            s.outcome.value if confirmed and s.outcome else "",
            s.minutes_late if confirmed and s.minutes_late is not None else "", code_of(s) or "", status_of(s),
            (s.confirmed_by.full_name if s.confirmed_by else ("provider link" if s.provider_link_id else ""))
            if confirmed else "",
            s.confirmed_via.value if confirmed and s.confirmed_via else "",
            clock.to_local(s.confirmed_at).strftime("%Y-%m-%d %H:%M") if confirmed else "")])
    return out.getvalue()
