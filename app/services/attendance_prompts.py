"""The attendance cut-off sweep's work for one school (issue 6 item 5; policy 4.5; KCSIE).

On a school day, every few minutes:

1. make the day's expected sessions not yet made (a placement started or a pattern changed today is picked up);
2. every session past the school's cut-off and still unconfirmed, not yet prompted: an urgent
   ATTENDANCE_UNCONFIRMED task (and email) for the attendance officer, with the provider's contacts;
3. every session whose welfare check is due (still unconfirmed an hour after the cut-off, or confirmed absent
   with no reason) and not yet raised: the DSL's urgent welfare check (app.services.welfare_checks).

`prompted_at` and `welfare_check_raised_at` on the session, and the tasks' dedupe keys, make each happen once.
The query reads only sessions with something still to do, so the sweep's work follows what is due, not the
length of the day. Runs inside the school's tenant scope; the sweep commits.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Provider, Pupil, School
from app.models.attendance import AttendanceSession
from app.policy.attendance import (
    NO_REASON,
    WELFARE_ESCALATION,
    Outcome,
    SessionKind,
    prompt_due,
    welfare_check_due,
)
from app.services.attendance import SUBJECT, ensure_expected_sessions, sessions_missing_on
from app.services.tasks import TaskKind, TaskSpec, ensure_tasks
from app.services.welfare_checks import raise_welfare_checks
from tenants import require_school_id

TODAY_PAGE = "attendance.index"  # the attendance officer's today page, where a session is confirmed


def prompt_key(session_id: int) -> str:
    """The dedupe key of a session's attendance prompt: one per session, ever."""
    return f"attendance:{session_id}"


@dataclass
class CutoffReport:
    sessions_made: int = 0
    prompts: int = 0
    welfare_checks: int = 0


def sessions_needing_action(now: dt.datetime, day: dt.date) -> list[AttendanceSession]:
    """The day's sessions the sweep still has something to do for: unconfirmed past the cut-off and not yet
    prompted; unconfirmed an hour past it with no welfare check yet; absent with no reason and no welfare check
    yet. Loaded with what the task details name (pupil and carers, provider and contacts)."""
    unconfirmed = AttendanceSession.confirmed_at.is_(None)
    no_check = AttendanceSession.welfare_check_raised_at.is_(None)
    return list(db.session.scalars(
        select(AttendanceSession)
        .where(AttendanceSession.day == day, AttendanceSession.kind == SessionKind.PROVISION,
               or_(and_(unconfirmed, AttendanceSession.cutoff_at <= now, AttendanceSession.prompted_at.is_(None)),
                   and_(unconfirmed, no_check, AttendanceSession.cutoff_at <= now - WELFARE_ESCALATION),
                   and_(AttendanceSession.outcome == Outcome.ABSENT, no_check,
                        or_(AttendanceSession.absence_reason.is_(None),
                            AttendanceSession.absence_reason == NO_REASON))))
        .order_by(AttendanceSession.cutoff_at, AttendanceSession.id)
        .options(selectinload(AttendanceSession.pupil).selectinload(Pupil.carers),
                 selectinload(AttendanceSession.provider).selectinload(Provider.contacts))))


def provider_contacts(session: AttendanceSession) -> str:
    """Who to ring about the session: the provider's contacts (issue 6 item 5)."""
    lines = [f"{session.pupil.display_name} was due at {session.provider.name} at {session.starts_at:%H:%M} "
             f"({session.session.value.upper()}, {session.day:%a %-d %b}); nobody has confirmed whether they arrived."]
    for contact in session.provider.contacts:
        if contact.archived_at is None:
            lines.append(f"Provider: {contact.name}{' (' + contact.role + ')' if contact.role else ''}"
                         f"{', ' + contact.phone if contact.phone else ''}"
                         f"{', ' + contact.email if contact.email else ''}")
    return "\n".join(lines)


def prompt_spec(session: AttendanceSession) -> TaskSpec:
    """Policy 4.5: the attendance officer's urgent prompt to confirm one session (one per session: its key)."""
    return TaskSpec(TaskKind.ATTENDANCE_UNCONFIRMED, prompt_key(session.id),
                    f"Confirm attendance: {session.pupil.display_name} at {session.provider.name} "
                    f"({session.session.value.upper()}, from {session.starts_at:%H:%M})",
                    due_at=session.cutoff_at, subject=(SUBJECT, session.id), link=(TODAY_PAGE, {}), urgent=True,
                    detail=provider_contacts(session))


def cutoff_work(calendar, today: dt.date, now: dt.datetime | None = None) -> CutoffReport:
    """The cut-off sweep for the current school on one of its school days (see the module's docstring). The
    prompts and welfare checks due are made together (a fixed number of queries however many are due)."""
    now = now or clock.now()
    report = CutoffReport()
    if sessions_missing_on(today):
        report.sessions_made = ensure_expected_sessions(calendar, today,
                                                        db.session.get(School, require_school_id()))
    sessions = sessions_needing_action(now, today)
    to_prompt = [s for s in sessions if s.prompted_at is None and prompt_due(s.is_confirmed, now, s.cutoff_at)]
    made = ensure_tasks([prompt_spec(s) for s in to_prompt], calendar)
    for session in to_prompt:
        session.prompted_at = now
    report.prompts = sum(created for _, created in made)
    checks_due = [(s, reason) for s in sessions if s.welfare_check_raised_at is None for reason in [
        welfare_check_due(s.is_confirmed, s.outcome, s.absence_reason, now, s.cutoff_at)] if reason]
    report.welfare_checks = len(raise_welfare_checks(checks_due, now))
    return report
