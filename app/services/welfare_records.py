"""Recording welfare checks (issue 6 item 6; KCSIE; policy 4.4, 4.5): the DSL's list of open and recent checks,
raising one by hand, and recording how a check was made and its outcome. What each outcome sets going is
app.policy.welfare.what_follows; raising a check from a session is app.services.welfare_checks.

Everything here runs inside a school's tenant scope. Recording commits, or changes nothing and returns the
problems by field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Audience, Pupil, School, User
from app.models.attendance import AttendanceSession, WelfareCheck, WelfareCheckMethod, WelfareCheckOutcome
from app.policy.attendance import ABSENCE_REASON_CODES
from app.policy.welfare import NOT_LOCATED, OUTCOMES, may_record, record_errors, what_follows
from app.roles import TrustRoleName
from app.services import webhooks
from app.services.attendance import Confirmation, confirm_session
from app.services.notifications import queue_for_users
from app.services.pupils import school_pupils  # noqa: F401  (re-exported for the welfare pages)
from app.services.results import Result
from app.services.tasks import TaskKind, _external_url, complete_tasks_for, ensure_task, trust_role_holders
from app.services.welfare_checks import SUBJECT
from tenants import require_school_id
from tenants.access import school_record_or_404

RECENT = 50  # recorded checks listed under the open ones




@dataclass(frozen=True)
class WelfareRecordInput:
    method: str | None
    outcome: str | None
    notes: str | None
    checked_at: dt.datetime | None
    absence_reason: str | None = None  # with "reason obtained": the reason's register code, for the session


def _loaded(query):
    return query.options(
        selectinload(WelfareCheck.pupil),
        selectinload(WelfareCheck.attendance_session).selectinload(AttendanceSession.provider),
        selectinload(WelfareCheck.recorded_by))


def open_and_recent() -> tuple[list[WelfareCheck], list[WelfareCheck]]:
    """The school's open checks (oldest first: the longest wait at the top) and the latest recorded ones."""
    live = WelfareCheck.archived_at.is_(None)
    open_checks = db.session.scalars(_loaded(select(WelfareCheck).where(
        live, WelfareCheck.recorded_at.is_(None)).order_by(WelfareCheck.raised_at, WelfareCheck.id))).all()
    recent = db.session.scalars(_loaded(select(WelfareCheck).where(
        live, WelfareCheck.recorded_at.is_not(None))
        .order_by(WelfareCheck.recorded_at.desc(), WelfareCheck.id.desc()).limit(RECENT))).all()
    return list(open_checks), list(recent)


def access_check(check_id: int) -> WelfareCheck:
    return school_record_or_404(WelfareCheck, check_id)


def still_missing(check: WelfareCheck) -> bool:
    """Recorded as not located, and not yet recorded found."""
    return check.outcome is WelfareCheckOutcome.NOT_LOCATED


def can_record(check: WelfareCheck) -> bool:
    return may_record(check.outcome.value if check.outcome else None)


def raise_by_hand(pupil_id: int | None, note: str | None, by: User) -> Result:
    """KCSIE: the DSL raises a welfare check for a pupil without waiting for a cut-off (a worrying call, a
    part-time timetable's extra checks, policy 9.6). Makes the check and the DSL's urgent task; commits."""
    errors = {}
    pupil = db.session.get(Pupil, pupil_id) if pupil_id else None
    if pupil is None or pupil.archived_at is not None:
        errors["pupil_id"] = "Choose the pupil to check on."
    if note and len(note) > 2000:
        errors["note"] = "Keep the reason to 2,000 characters."
    if errors:
        return Result(errors=errors)
    now = clock.now()
    check = WelfareCheck(school_id=require_school_id(), pupil_id=pupil.id, reason=None, raised_at=now,
                         notes=(note or "").strip() or None)
    db.session.add(check)
    db.session.flush()
    ensure_task(TaskKind.WELFARE_CHECK, f"welfare-by-hand:{check.id}", f"Welfare check: {pupil.display_name}",
                due_at=now, subject=(SUBJECT, check.id), link=("welfare_checks.show", {"welfare_check_id": check.id}),
                urgent=True, detail=f"Raised by {by.full_name}." + (f" {check.notes}" if check.notes else ""))
    db.session.commit()
    return Result(record=check)


def record_check(check: WelfareCheck, data: WelfareRecordInput, by: User) -> Result:
    """KCSIE, policy 4.4, 4.5: record how the check was made and its outcome, by `by`, and set going what the
    outcome requires (app.policy.welfare.what_follows): the DSL's task is done; a reason obtained may go on the
    session's register mark; not located starts the missing-child procedure, tells the trust safeguarding lead
    at once and leaves an urgent follow-up task escalating until the pupil is recorded found. Commits."""
    now = clock.now()
    previous = check.outcome.value if check.outcome else None
    if not may_record(previous):
        return Result(errors={"outcome": "This check is recorded already."})
    errors = record_errors(data.method, data.outcome, data.notes, data.checked_at, check.raised_at, now, previous)
    reason = (data.absence_reason or "").strip() or None
    if reason is not None:
        if data.outcome != "reason_obtained":
            errors.setdefault("absence_reason", "An absence reason goes with the outcome 'reason obtained'.")
        elif reason not in ABSENCE_REASON_CODES:
            errors["absence_reason"] = "Choose an absence reason from the list."
        elif check.attendance_session is None:
            errors["absence_reason"] = "This check is not about a session: there is no register mark to set."
    if errors:
        return Result(errors=errors)
    follows = what_follows(data.outcome)
    check.method = WelfareCheckMethod(data.method)
    check.outcome = WelfareCheckOutcome(data.outcome)
    notes = (data.notes or "").strip()
    if previous == NOT_LOCATED and check.notes:  # keep what was tried while the pupil was missing
        notes = f"{check.notes}\n\nFound ({clock.to_local(data.checked_at):%-d %b %H:%M}): {notes}".strip()
    check.notes = notes or None
    check.checked_at = data.checked_at
    check.recorded_at = now
    check.recorded_by_id = by.id
    if follows.completes_check:
        complete_tasks_for(SUBJECT, check.id, [TaskKind.WELFARE_CHECK], by)
    if follows.may_set_absence_reason and reason is not None:
        _enter_absence_reason(check.attendance_session, reason, data.method, by)
    if follows.missing_child_procedure:
        check.missing_procedure_started_at = now
        webhooks.welfare_check_not_located(check)
    if follows.follow_up_task:
        _missing_child_task(check, now)
    if follows.tell_trust_safeguarding_lead:
        _tell_trust_safeguarding_lead(check, by, "welfare_not_located", "not-located")
        check.trust_told_at = now
    elif previous == NOT_LOCATED:
        _tell_trust_safeguarding_lead(check, by, "welfare_located", "located")  # they were told it was missing
    db.session.commit()
    return Result(record=check)


def _enter_absence_reason(session: AttendanceSession, reason: str, method: str, by: User) -> None:
    via = "call" if method == "call" else "parent"  # a meeting or visit: the family said why
    confirm_session(session, Confirmation("absent", via, absence_reason=reason,
                                          note="Reason obtained by the DSL's welfare check"), user_id=by.id)


def _missing_child_task(check: WelfareCheck, now: dt.datetime) -> None:
    """The follow-up: open, urgent and escalating (headteacher, then the trust safeguarding lead) until the pupil
    is recorded found on the check's page; recording that completes it."""
    ensure_task(TaskKind.WELFARE_CHECK, f"welfare-not-located:{check.id}",
                f"Missing-child procedure: {check.pupil.display_name} not located", due_at=now,
                subject=(SUBJECT, check.id), link=("welfare_checks.show", {"welfare_check_id": check.id}),
                urgent=True, detail="Follow the missing-child steps on the check's page, then record the pupil "
                                    "found there.")


def _tell_trust_safeguarding_lead(check: WelfareCheck, by: User, template: str, event: str) -> None:
    school = db.session.get(School, check.school_id)
    session = check.attendance_session
    queue_for_users(
        trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD), dedupe_key=f"welfare-{event}:{check.id}",
        template=template, audience=Audience.TRUST, urgent=True, about_type=SUBJECT, about_id=check.id,
        about_label=f"Welfare check: {check.pupil.display_name}"[:200], school_id=check.school_id,
        context={"school_name": school.name, "pupil_name": check.pupil.display_name,
                 "provider_name": session.provider.name if session else "",
                 "recorded_by": by.full_name, "outcome": OUTCOMES[check.outcome.value],
                 "notes": check.notes or "", "link": _check_url(check, school)})


def _check_url(check: WelfareCheck, school: School) -> str:
    return _external_url("welfare_checks.show", {"school_slug": school.slug, "welfare_check_id": check.id})
