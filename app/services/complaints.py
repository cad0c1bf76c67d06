"""Complaints about how the AP policy was applied (issue 16 item 6; policy 11.1) and the policy's review and
monitoring (12.1, 12.2).

A complaint is recorded by any member of staff, routed to the headteacher (a task), and moved through the stages
of the complaints procedure (app.policy.complaints) to an outcome, each stage with its dates. Stage moves and
closing are conditional updates, so two people at once produce one result. Complaints are counted in the
headteacher's report (app.services.ap_figures).

Complaint functions run in the school's scope; the policy review functions in a trust scope or a system scope.
Changes commit, or change nothing and return the problems by field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Audience, Provider, Pupil, Trust, User
from app.models.oversight import Complaint, ComplaintStep, PolicyMonitoring, PolicyReview
from app.policy.complaints import ABOUT_KINDS, OUTCOMES, STAGE_LABELS, may_move_to, stage
from app.policy.policy_review import next_review_on, review_reminder_on
from app.roles import TrustRoleName
from app.services.calendar import calendar_for_school
from app.services.notifications import existing_notification, queue_for_users
from app.services.results import Result
from app.services.tasks import TaskKind, complete_tasks_for, ensure_task, trust_role_holders
from tenants import require_school_id
from tenants.access import school_record_or_404

SUBJECT = "complaint"


@dataclass(frozen=True)
class ComplaintInput:
    raised_by: str | None
    raised_by_relationship: str | None
    about: str | None
    received_on: dt.date | None
    pupil_id: int | None = None
    provider_id: int | None = None


def complaints() -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(Complaint.archived_at.is_(None))
                                   .order_by(Complaint.closed_on.is_not(None), Complaint.received_on.desc(),
                                             Complaint.id.desc())))


def access_complaint(complaint_id: int) -> Complaint:
    return school_record_or_404(Complaint, complaint_id)


def _due(started: dt.date, code: str) -> dt.date:
    """The stage's usual finish: its school days counted on the school's calendar (calendar days past its end)."""
    days = stage(code).school_days
    try:
        return calendar_for_school().nth_school_day_after(started, days)
    except Exception:  # the calendar is not entered that far: count calendar days, a week per five school days
        return started + dt.timedelta(days=days * 7 // 5)


def record_complaint(data: ComplaintInput, by: User) -> Result:
    """11.1: record a concern or complaint, route it to the headteacher (a task) and start the procedure."""
    errors = {}
    raised_by = (data.raised_by or "").strip()
    about = (data.about or "").strip()
    if not raised_by:
        errors["raised_by"] = "Enter who raised the concern or complaint."
    elif len(raised_by) > 200:
        errors["raised_by"] = "Keep the name to 200 characters."
    if data.raised_by_relationship and len(data.raised_by_relationship) > 100:
        errors["raised_by_relationship"] = "Keep this to 100 characters."
    if not about:
        errors["about"] = "Say what the concern or complaint is about."
    elif len(about) > 5000:
        errors["about"] = "Keep this to 5,000 characters."
    if data.received_on is None:
        errors["received_on"] = "Enter the date it was received."
    elif data.received_on > clock.today():
        errors["received_on"] = "The date received cannot be in the future."
    if data.pupil_id is not None and db.session.get(Pupil, data.pupil_id) is None:
        errors["pupil_id"] = "Choose a pupil of the school, or none."
    provider = db.session.get(Provider, data.provider_id) if data.provider_id is not None else None
    if data.provider_id is not None and (provider is None or provider.owning_school_id not in (None,
                                                                                             require_school_id())):
        errors["provider_id"] = "Choose a provider from the register, or none."
    if errors:
        return Result(errors=errors)
    due = _due(data.received_on, "received")
    complaint = Complaint(school_id=require_school_id(), raised_by=raised_by,
                          raised_by_relationship=(data.raised_by_relationship or "").strip() or None, about=about,
                          pupil_id=data.pupil_id, provider_id=data.provider_id, received_on=data.received_on,
                          stage="received", stage_started_on=data.received_on, stage_due_on=due,
                          recorded_by_id=by.id)
    db.session.add(complaint)
    db.session.flush()
    db.session.add(ComplaintStep(school_id=complaint.school_id, complaint_id=complaint.id, stage="received",
                                 started_on=data.received_on, due_on=due, recorded_by_id=by.id))
    ensure_task(TaskKind.COMPLAINT, f"complaint:{complaint.id}", f"Complaint from {raised_by}: acknowledge and "
                "decide the next stage", due_at=clock.local_datetime(due, dt.time(17)),
                subject=(SUBJECT, complaint.id), link=("complaints.show", {"complaint_id": complaint.id}),
                detail=about[:500])
    db.session.commit()
    return Result(record=complaint)


def move_to_stage(complaint: Complaint, wanted: str | None, on: dt.date | None, note: str | None, by: User) -> Result:
    """The complaint moves on to a later stage of the procedure on a date (the current stage finishes then)."""
    errors = {}
    problem = may_move_to(complaint.stage, wanted, complaint.closed_on is not None)
    if problem:
        errors["stage"] = problem
    if on is None:
        errors["on"] = "Enter the date the stage started."
    elif on < complaint.stage_started_on or on > clock.today():
        errors["on"] = "The date must be between the current stage's start and today."
    if errors:
        return Result(errors=errors)
    current = complaint.stage
    if not _locked_unchanged(complaint, current):  # someone else moved or closed it first
        db.session.rollback()
        return Result(errors={"stage": "The complaint has just been changed by someone else: look again."})
    complaint.stage, complaint.stage_started_on, complaint.stage_due_on = wanted, on, _due(on, wanted)
    _finish_step(complaint.id, current, on)
    db.session.add(ComplaintStep(school_id=complaint.school_id, complaint_id=complaint.id, stage=wanted,
                                 started_on=on, due_on=_due(on, wanted), note=(note or "").strip() or None,
                                 recorded_by_id=by.id))
    db.session.commit()
    db.session.refresh(complaint)
    return Result(record=complaint)


def close_complaint(complaint: Complaint, outcome: str | None, on: dt.date | None, note: str | None,
                    by: User) -> Result:
    """The procedure's outcome, on a date; the headteacher's task is done."""
    errors = {}
    if complaint.closed_on is not None:
        errors["outcome"] = "The complaint is closed already."
    elif outcome not in OUTCOMES:
        errors["outcome"] = "Choose the outcome."
    if on is None:
        errors["closed_on"] = "Enter the date of the outcome."
    elif on < complaint.received_on or on > clock.today():
        errors["closed_on"] = "The date must be between the date received and today."
    if note and len(note) > 5000:
        errors["outcome_note"] = "Keep this to 5,000 characters."
    if errors:
        return Result(errors=errors)
    if not _locked_unchanged(complaint, complaint.stage):
        db.session.rollback()
        return Result(errors={"outcome": "The complaint is closed already."})
    complaint.outcome, complaint.closed_on, complaint.outcome_note = outcome, on, (note or "").strip() or None
    _finish_step(complaint.id, complaint.stage, on)
    complete_tasks_for(SUBJECT, complaint.id, [TaskKind.COMPLAINT], by)
    db.session.commit()
    db.session.refresh(complaint)
    return Result(record=complaint)


def _locked_unchanged(complaint: Complaint, stage_seen: str) -> bool:
    """Re-read the complaint under a row lock (PostgreSQL; SQLite serialises writers) and say whether it is still
    open at the stage the person saw: two people at once give one result, and the audit trail sees the change
    (a bulk UPDATE would bypass it)."""
    db.session.refresh(complaint, with_for_update=True)
    return complaint.stage == stage_seen and complaint.closed_on is None


def _finish_step(complaint_id: int, code: str, on: dt.date) -> None:
    step = db.session.scalar(select(ComplaintStep).where(ComplaintStep.complaint_id == complaint_id,
                                                         ComplaintStep.stage == code))
    if step is not None and step.finished_on is None:
        step.finished_on = on


def labels() -> dict:
    return {"stages": STAGE_LABELS, "outcomes": OUTCOMES, "about": ABOUT_KINDS}


# --- the policy's review (12.2) and each school's monitoring (12.1) ---------------------------------------------


def current_review(trust_id: int) -> PolicyReview | None:
    return db.session.scalar(select(PolicyReview).where(PolicyReview.trust_id == trust_id)
                             .order_by(PolicyReview.adopted_on.desc(), PolicyReview.id.desc()).limit(1))


def record_adoption(trust: Trust, adopted_on: dt.date | None, next_on: dt.date | None, reason: str | None,
                    by: User) -> Result:
    """12.2: the trust adopted (or reviewed) the policy on a date; the next review is two years on unless an
    earlier date is given (a change in legislation or statutory guidance)."""
    errors = {}
    if adopted_on is None:
        errors["adopted_on"] = "Enter the date the policy was adopted or reviewed."
    elif adopted_on > clock.today():
        errors["adopted_on"] = "The date cannot be in the future."
    if errors:
        return Result(errors=errors)
    latest = next_review_on(adopted_on)
    if next_on is not None and not adopted_on < next_on <= latest:
        errors["next_review_on"] = f"The next review must be after adoption and no later than {latest:%-d %B %Y}."
    if reason and len(reason) > 2000:
        errors["reason"] = "Keep this to 2,000 characters."
    if errors:
        return Result(errors=errors)
    existing = db.session.scalar(select(PolicyReview).where(PolicyReview.trust_id == trust.id,
                                                            PolicyReview.adopted_on == adopted_on))
    if existing is not None:
        return Result(errors={"adopted_on": "An adoption on this date is recorded already."})
    review = PolicyReview(trust_id=trust.id, adopted_on=adopted_on, next_review_on=next_on or latest,
                          reason=(reason or "").strip() or None, recorded_by_id=by.id)
    db.session.add(review)
    db.session.commit()
    return Result(record=review)


def review_reminders(today: dt.date) -> int:
    """12.2: from the reminder day before each trust's next review, tell the trust safeguarding lead once (the
    outbox's dedupe key makes a second sweep a no-op). Runs in a system scope; the caller commits."""
    sent = 0
    for trust in db.session.scalars(select(Trust)):
        review = current_review(trust.id)
        if review is None or today < review_reminder_on(review.next_review_on):
            continue
        leads = [u for u in trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD)
                 if existing_notification(f"policy-review:{review.id}:user:{u.id}") is None]
        sent += len(queue_for_users(
            leads, dedupe_key=f"policy-review:{review.id}",
            template="policy_review_due", audience=Audience.TRUST, about_type="policy_review", about_id=review.id,
            about_label="Review of the alternative provision policy",
            context={"trust_name": trust.name, "next_review_on": f"{review.next_review_on:%-d %B %Y}",
                     "adopted_on": f"{review.adopted_on:%-d %B %Y}"}))
    return sent


def monitoring_of_school() -> list[PolicyMonitoring]:
    return list(db.session.scalars(select(PolicyMonitoring).order_by(PolicyMonitoring.monitored_on.desc(),
                                                                     PolicyMonitoring.id.desc())))


def record_monitoring(monitored_on: dt.date | None, findings: str | None, actions: str | None, by: User) -> Result:
    """12.1: the headteacher's monitoring of the policy's implementation in the school."""
    errors = {}
    findings = (findings or "").strip()
    if monitored_on is None:
        errors["monitored_on"] = "Enter the date of the monitoring."
    elif monitored_on > clock.today():
        errors["monitored_on"] = "The date cannot be in the future."
    if not findings:
        errors["findings"] = "Say what the monitoring found."
    elif len(findings) > 5000:
        errors["findings"] = "Keep this to 5,000 characters."
    if actions and len(actions) > 5000:
        errors["actions"] = "Keep this to 5,000 characters."
    if errors:
        return Result(errors=errors)
    record = PolicyMonitoring(school_id=require_school_id(), monitored_on=monitored_on, findings=findings,
                              actions=(actions or "").strip() or None, recorded_by_id=by.id)
    db.session.add(record)
    db.session.commit()
    return Result(record=record)


def latest_monitoring_by_school() -> dict[int, PolicyMonitoring]:
    """Each school's latest monitoring (in the trust scope): one query."""
    latest: dict[int, PolicyMonitoring] = {}
    for row in db.session.scalars(select(PolicyMonitoring).order_by(PolicyMonitoring.monitored_on,
                                                                    PolicyMonitoring.id)):
        latest[row.school_id] = row
    return latest
