"""Welfare checks (issue 6 item 6; KCSIE, policy 4.4, 4.5): when a pupil due at a provider is not known to be
there, the DSL checks on them the same day. Raising a check makes an urgent task for the DSL carrying the
parents' and the provider's contacts. The rule of when one is due is app.policy.attendance.welfare_check_due.
Everything here runs inside a school's tenant scope; callers commit.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models.attendance import AttendanceSession, WelfareCheck
from app.policy.attendance import WelfareCheckReason, welfare_check_due
from app.services.tasks import TaskKind, TaskSpec, ensure_tasks

SUBJECT = "welfare_check"  # Task.subject_type


def welfare_task_key(session_id: int) -> str:
    return f"welfare:{session_id}"


def raise_welfare_check_if_due(session: AttendanceSession, now: dt.datetime) -> WelfareCheck | None:
    """KCSIE: raise the session's welfare check if one is due now and none is raised yet; returns it, or None."""
    if session.welfare_check_raised_at is not None:
        return None
    reason = welfare_check_due(session.is_confirmed, session.outcome, session.absence_reason, now,
                               session.cutoff_at)
    if not reason:
        return None
    return raise_welfare_check(session, reason, now)


def contacts_detail(session: AttendanceSession) -> str:
    """The parents' and the provider's contacts, for the DSL's task and email (issue 6 item 5)."""
    lines = [f"{session.pupil.display_name}: due at {session.provider.name}, {session.day:%a %-d %b} "
             f"{session.session.value.upper()} from {session.starts_at:%H:%M}."]
    for carer in session.pupil.carers:
        if getattr(carer, "archived_at", None) is None:
            lines.append(f"Parent/carer: {carer.name}"
                         f"{' (' + carer.relationship_to_pupil + ')' if carer.relationship_to_pupil else ''}"
                         f"{', ' + carer.phone if carer.phone else ''}{', ' + carer.email if carer.email else ''}")
    for contact in session.provider.contacts:
        lines.append(f"Provider: {contact.name}{' (' + contact.role + ')' if contact.role else ''}"
                     f"{', ' + contact.phone if contact.phone else ''}{', ' + contact.email if contact.email else ''}")
    return "\n".join(lines)


def raise_welfare_check(session: AttendanceSession, reason: WelfareCheckReason,
                        now: dt.datetime | None = None) -> WelfareCheck:
    """Make the welfare check and the DSL's urgent task (one per session: the task's dedupe key names it)."""
    return raise_welfare_checks([(session, reason)], now)[0]


def _checks_of_sessions(session_ids: list[int]) -> dict[int, WelfareCheck]:
    return {c.attendance_session_id: c for start in range(0, len(session_ids), 500) for c in db.session.scalars(
        select(WelfareCheck).where(WelfareCheck.attendance_session_id.in_(session_ids[start:start + 500])))}


def _insert_or_take(session: AttendanceSession, reason: WelfareCheckReason, now: dt.datetime) -> WelfareCheck:
    """Insert-or-skip for one session: the check another transaction committed meanwhile, or a new one."""
    found = _checks_of_sessions([session.id]).get(session.id)
    if found is not None:
        return found
    check = WelfareCheck(school_id=session.school_id, pupil_id=session.pupil_id, attendance_session=session,
                         reason=reason, raised_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(check)
        return check
    except IntegrityError:
        return _checks_of_sessions([session.id])[session.id]


def raise_welfare_checks(due: list[tuple[AttendanceSession, WelfareCheckReason]],
                         now: dt.datetime | None = None) -> list[WelfareCheck]:
    """`raise_welfare_check` for many sessions at once (the cut-off sweep an hour after a busy morning's cut-off):
    the existing checks read in one query, the new ones inserted in one flush, the tasks made together
    (app.services.tasks.ensure_tasks). Safe when two sweeps overlap: a unique index allows one open check per
    session, and the one that loses the race takes the other's check instead of making a second."""
    if not due:
        return []
    now = now or clock.now()
    existing = _checks_of_sessions([session.id for session, _ in due])
    new = [WelfareCheck(school_id=session.school_id, pupil_id=session.pupil_id, attendance_session=session,
                        reason=reason, raised_at=now)
           for session, reason in due if session.id not in existing]
    try:
        if new:
            with db.session.begin_nested():
                db.session.add_all(new)
            existing.update((check.attendance_session_id, check) for check in new)
    except IntegrityError:
        # Another sweep raised some of them since we looked (the unique open check per session): take its
        # checks, insert the rest one by one.
        for (session, reason) in due:
            if session.id not in existing:
                existing[session.id] = _insert_or_take(session, reason, now)
    checks = []
    for session, _ in due:
        session.welfare_check_raised_at = now
        checks.append(existing[session.id])
    db.session.flush()
    ensure_tasks([TaskSpec(TaskKind.WELFARE_CHECK, welfare_task_key(session.id),
                           f"Welfare check: {session.pupil.display_name} ({reason.label.lower()})", due_at=now,
                           subject=(SUBJECT, check.id), link=("welfare_checks.show", {"welfare_check_id": check.id}),
                           urgent=True, detail=contacts_detail(session))
                  for (session, reason), check in zip(due, checks, strict=True)])
    return checks
