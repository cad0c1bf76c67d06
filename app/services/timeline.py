"""The pupil's timeline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Notification, PlacementStatus, Pupil, Task, User
from app.policy.referral import reason_label

from app.services.pupils.pre_placement import BELONGING_KINDS, PARTY_LABELS
from app.services.pupils.record import pupil_records, PupilRecords, school_age_of


# --- the timeline -------------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    on: dt.date  # the day it happened (or is about)
    kind: str  # what sort of record, for the page's label
    title: str
    detail: str | None = None
    at: datetime | None = None  # when it was written, to order entries of one day
    who: str | None = None


_AUDIT_WORDS = {"create": "Record created", "update": "Record changed", "archive": "Record archived",
                "restore": "Record restored"}


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def pupil_timeline(pupil: Pupil, records: PupilRecords | None = None) -> list[TimelineEntry]:
    """Everything AP Hub knows about the pupil, newest first: changes to the pupil's record and carers (from the
    audit trail), referrals, risk assessments, consultations, involvements, belonging actions, event risk
    assessments, placements (start, end, status), tasks and external notices about the pupil or their
    placements, and today's compulsory-school-age status."""
    r = records or pupil_records(pupil)
    entries: list[TimelineEntry] = []

    carer_ids = [str(c.id) for c in r.carers]
    audit_rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == pupil.school_id,
        or_((AuditEvent.record_type == "Pupil") & (AuditEvent.record_id == str(pupil.id)),
            (AuditEvent.record_type == "Carer") & AuditEvent.record_id.in_(carer_ids or ["-"])))).all()
    who = _names([a.actor_id for a in audit_rows] + [x.proposed_by_id for x in r.referrals]
                 + [x.assessed_by_id for x in r.risk_assessments] + [x.recorded_by_id for x in r.consultations]
                 + [x.recorded_by_id for x in r.involvements] + [x.recorded_by_id for x in r.belonging_actions]
                 + [x.assessed_by_id for x in r.event_risk_assessments])
    for a in audit_rows:
        changed = sorted(set((a.after or {}).keys()) - {"updated_at", "created_at"}) if a.action == "update" else []
        subject = "Pupil record" if a.record_type == "Pupil" else "Parent or carer"
        entries.append(TimelineEntry(
            on=clock.to_local(a.at).date(), at=a.at, kind="Record",
            title=f"{subject}: {_AUDIT_WORDS.get(a.action, a.action).lower()}",
            detail=("Changed: " + ", ".join(n.replace("_", " ") for n in changed)) if changed else None,
            who=who.get(a.actor_id)))
    for x in r.referrals:
        entries.append(TimelineEntry(x.proposed_on, "Referral", "Referral and needs analysis",
                                     "; ".join(reason_label(c) for c in x.reasons), x.created_at,
                                     who.get(x.proposed_by_id)))
    for x in r.risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Risk assessment",
                                     "Risk assessment reviewed" if x.reviews_id else "Risk assessment",
                                     f"Review due {x.review_due_on:%-d %b %Y}", x.created_at,
                                     who.get(x.assessed_by_id)))
    for x in r.consultations:
        entries.append(TimelineEntry(x.consulted_on, "Consultation", "Parents or carers consulted",
                                     f"Decision: {x.school_decision}", x.created_at, who.get(x.recorded_by_id)))
    for x in r.involvements:
        entries.append(TimelineEntry(x.involved_on, "Involvement", f"{PARTY_LABELS[x.party]} involved",
                                     x.person_name, x.created_at, who.get(x.recorded_by_id)))
    for x in r.belonging_actions:
        entries.append(TimelineEntry(x.on, "Belonging", dict(BELONGING_KINDS).get(x.kind, x.kind), x.note,
                                     x.created_at, who.get(x.recorded_by_id)))
    for x in r.event_risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Event risk", f"Event risk assessed: {x.event_name}",
                                     f"Decision: {x.decision}", x.created_at, who.get(x.assessed_by_id)))
    for p in r.placements:
        provider = p.provider.name if p.provider else "provider"
        entries.append(TimelineEntry(p.start_date, "Placement", f"Placement at {provider} starts",
                                     f"Status: {PlacementStatus(p.status).value}", p.created_at))
        if p.ended_on:
            entries.append(TimelineEntry(p.ended_on, "Placement", f"Placement at {provider} ended",
                                         f"Destination: {p.end_destination}" if p.end_destination else None))
    placement_ids = [p.id for p in r.placements] or [-1]
    about = or_((Task.subject_type == "pupil") & (Task.subject_id == pupil.id),
                (Task.subject_type == "placement") & Task.subject_id.in_(placement_ids))
    for t in db.session.scalars(select(Task).where(about)):
        entries.append(TimelineEntry(clock.to_local(t.created_at).date(), "Task", t.title,
                                     f"Due {clock.to_local(t.due_at):%-d %b %Y}, {t.status.value}", t.created_at))
    about = or_((Notification.about_type == "pupil") & (Notification.about_id == pupil.id),
                (Notification.about_type == "placement") & Notification.about_id.in_(placement_ids))
    for n in db.session.scalars(select(Notification).where(about)):
        entries.append(TimelineEntry(clock.to_local(n.created_at).date(), "Notice",
                                     f"Notice to {n.recipient_name or n.recipient_email}: {n.subject}",
                                     f"{n.status.value}", n.created_at))
    from app.services.qa import PROGRESS_LABELS, progress_of

    progress = progress_of(pupil)  # 8.7: progress, achievements and the pupil's own voice
    recorders = _names([x.recorded_by_id for x in progress])
    for x in progress:
        entries.append(TimelineEntry(x.recorded_on, "Progress", PROGRESS_LABELS[x.kind], x.text, x.created_at,
                                     recorders.get(x.recorded_by_id)))
    from app.models import PlacementReview, WelfareCheck

    # 8.2: each formal review with the pupil's own view; KCSIE: each welfare check and what it found.
    reviews = db.session.scalars(select(PlacementReview).where(
        PlacementReview.pupil_id == pupil.id, PlacementReview.archived_at.is_(None))).all()
    checks = db.session.scalars(select(WelfareCheck).where(
        WelfareCheck.pupil_id == pupil.id, WelfareCheck.archived_at.is_(None))).all()
    people = _names([x.recorded_by_id for x in reviews] + [x.recorded_by_id for x in checks])
    for x in reviews:
        entries.append(TimelineEntry(x.held_on, "Review", "Half-termly review held",
                                     f"The pupil's views: {x.pupil_views}", x.created_at, people.get(x.recorded_by_id)))
    for x in checks:
        outcome = x.outcome.value.replace("_", " ") if x.outcome else "not yet made"
        entries.append(TimelineEntry(clock.to_local(x.raised_at).date(), "Welfare check",
                                     f"Welfare check: {outcome}", x.reason.label if x.reason else None,
                                     x.raised_at, people.get(x.recorded_by_id)))
    today = clock.today()
    age = school_age_of(pupil, today)
    entries.append(TimelineEntry(today, "School age", f"Compulsory school age: {age.status}",
                                 f"From {age.starts_on:%-d %b %Y} to {age.ends_on:%-d %b %Y}", None))
    far_past = datetime.min.replace(tzinfo=clock.now().tzinfo)
    entries.sort(key=lambda e: (e.on, e.at or far_past), reverse=True)
    return entries
