"""The pupil's timeline: everything AP Hub knows about a pupil, newest first, that the viewer may see.

One contributor per source (the pupil's record, what precedes a placement, placements, tasks, notices to the LA,
progress, reviews, welfare checks, school age), each behind the permission of the page where that source is
shown: a viewer's timeline holds nothing from a page they cannot open (an attendance officer, who gets 403 on
the reviews, progress and notices pages, sees none of them here either).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from app import clock
from app.extensions import db
from app.models import (
    AuditEvent,
    Notification,
    PlacementReview,
    PlacementStatus,
    Pupil,
    Task,
    User,
    WelfareCheck,
)
from app.permissions import Permission
from app.policy.referral import reason_label
from app.services.pupils.pre_placement import BELONGING_KINDS, PARTY_LABELS
from app.services.pupils.record import PupilRecords, pupil_records, school_age_of
from app.services.qa import PROGRESS_LABELS, progress_of
from app.services.record_kinds import Kind, load_kinds


@dataclass
class TimelineEntry:
    on: dt.date  # the day it happened (or is about)
    kind: str  # what sort of record, for the page's label
    title: str
    detail: str | None = None
    at: datetime | None = None  # when it was written, to order entries of one day
    who_id: int | None = None  # who wrote it: named for the whole timeline in one query
    who: str | None = None


_AUDIT_WORDS = {"create": "Record created", "update": "Record changed", "archive": "Record archived",
                "restore": "Record restored"}


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@dataclass(frozen=True)
class Source:
    """What every contributor reads: the pupil, the records already loaded for the pupil's page, and what the
    timeline's own kinds read (`loaded`, by kind name: one statement for all of them)."""

    pupil: Pupil
    records: PupilRecords
    loaded: dict = field(default_factory=dict)

    @property
    def placement_ids(self) -> list[int]:
        return [p.id for p in self.records.placements] or [-1]


def _record_changes_kind(s: Source) -> Kind:
    carer_ids = [str(c.id) for c in s.records.carers]
    return Kind(AuditEvent, (
        # Changes only: each view of the record is in the trail too (its own page, "Who has looked at this
        # record"), and listed here it made the timeline grow with every view.
        AuditEvent.school_id == s.pupil.school_id, AuditEvent.action != "read",
        or_((AuditEvent.record_type == "Pupil") & (AuditEvent.record_id == str(s.pupil.id)),
            (AuditEvent.record_type == "Carer") & AuditEvent.record_id.in_(carer_ids or ["-"]))))


def _record_changes(s: Source) -> list[TimelineEntry]:
    """Changes to the pupil's record and carers, from the audit trail (the pupil's page)."""
    entries = []
    for a in s.loaded["record_changes"]:
        changed = sorted(set((a.after or {}).keys()) - {"updated_at", "created_at"}) if a.action == "update" else []
        subject = "Pupil record" if a.record_type == "Pupil" else "Parent or carer"
        entries.append(TimelineEntry(
            on=clock.to_local(a.at).date(), at=a.at, kind="Record",
            title=f"{subject}: {_AUDIT_WORDS.get(a.action, a.action).lower()}",
            detail=("Changed: " + ", ".join(n.replace("_", " ") for n in changed)) if changed else None,
            who_id=a.actor_id))
    return entries


def _before_placement(s: Source) -> list[TimelineEntry]:
    """Referrals, risk assessments, consultations, involvements (4.3, 7.4-7.6; the pupil's page)."""
    r = s.records
    entries = []
    for x in r.referrals:
        entries.append(TimelineEntry(x.proposed_on, "Referral", "Referral and needs analysis",
                                     "; ".join(reason_label(c) for c in x.reasons), x.created_at,
                                     x.proposed_by_id))
    for x in r.risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Risk assessment",
                                     "Risk assessment reviewed" if x.reviews_id else "Risk assessment",
                                     f"Review due {x.review_due_on:%-d %b %Y}", x.created_at,
                                     x.assessed_by_id))
    for x in r.consultations:
        entries.append(TimelineEntry(x.consulted_on, "Consultation", "Parents or carers consulted",
                                     f"Decision: {x.school_decision}", x.created_at, x.recorded_by_id))
    for x in r.involvements:
        entries.append(TimelineEntry(x.involved_on, "Involvement", f"{PARTY_LABELS[x.party]} involved",
                                     x.person_name, x.created_at, x.recorded_by_id))
    return entries


def _belonging_and_events(s: Source) -> list[TimelineEntry]:
    """Continued belonging (5.4) and event risk assessments (5.5; the pupil's page)."""
    r = s.records
    entries = []
    for x in r.belonging_actions:
        entries.append(TimelineEntry(x.on, "Belonging", dict(BELONGING_KINDS).get(x.kind, x.kind), x.note,
                                     x.created_at, x.recorded_by_id))
    for x in r.event_risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Event risk", f"Event risk assessed: {x.event_name}",
                                     f"Decision: {x.decision}", x.created_at, x.assessed_by_id))
    return entries


def _placements(s: Source) -> list[TimelineEntry]:
    entries = []
    for p in s.records.placements:
        provider = p.provider.name if p.provider else "provider"
        entries.append(TimelineEntry(p.start_date, "Placement", f"Placement at {provider} starts",
                                     f"Status: {PlacementStatus(p.status).value}", p.created_at))
        if p.ended_on:
            entries.append(TimelineEntry(p.ended_on, "Placement", f"Placement at {provider} ended",
                                         f"Destination: {p.end_destination}" if p.end_destination else None))
    return entries


def _tasks_kind(s: Source) -> Kind:
    return Kind(Task, (or_((Task.subject_type == "pupil") & (Task.subject_id == s.pupil.id),
                           (Task.subject_type == "placement") & Task.subject_id.in_(s.placement_ids)),))


def _tasks(s: Source) -> list[TimelineEntry]:
    return [TimelineEntry(clock.to_local(t.created_at).date(), "Task", t.title,
                          f"Due {clock.to_local(t.due_at):%-d %b %Y}, {t.status.value}", t.created_at)
            for t in s.loaded["tasks"]]


def _notices_kind(s: Source) -> Kind:
    return Kind(Notification, (or_(
        (Notification.about_type == "pupil") & (Notification.about_id == s.pupil.id),
        (Notification.about_type == "placement") & Notification.about_id.in_(s.placement_ids)),))


def _notices(s: Source) -> list[TimelineEntry]:
    """External notices about the pupil or their placements (7.5, 7.6, 7.12; the notices page)."""
    return [TimelineEntry(clock.to_local(n.created_at).date(), "Notice",
                          f"Notice to {n.recipient_name or n.recipient_email}: {n.subject}",
                          f"{n.status.value}", n.created_at)
            for n in s.loaded["notices"]]


def _progress(s: Source) -> list[TimelineEntry]:
    """8.7: progress, achievements and the pupil's own voice (the progress page)."""
    progress = s.records.progress if s.records.progress is not None else progress_of(s.pupil)
    return [TimelineEntry(x.recorded_on, "Progress", PROGRESS_LABELS[x.kind], x.text, x.created_at,
                          x.recorded_by_id) for x in progress]


def _reviews_kind(s: Source) -> Kind:
    return Kind(PlacementReview, (PlacementReview.pupil_id == s.pupil.id, PlacementReview.archived_at.is_(None)))


def _reviews(s: Source) -> list[TimelineEntry]:
    """8.2: each formal review with the pupil's own view (the reviews pages)."""
    return [TimelineEntry(x.held_on, "Review", "Half-termly review held",
                          f"The pupil's views: {x.pupil_views}", x.created_at, x.recorded_by_id)
            for x in s.loaded["reviews"]]


def _welfare_checks_kind(s: Source) -> Kind:
    return Kind(WelfareCheck, (WelfareCheck.pupil_id == s.pupil.id, WelfareCheck.archived_at.is_(None)))


def _welfare_checks(s: Source) -> list[TimelineEntry]:
    """KCSIE: each welfare check and what it found (the welfare checks page)."""
    entries = []
    for x in s.loaded["welfare_checks"]:
        outcome = x.outcome.value.replace("_", " ") if x.outcome else "not yet made"
        entries.append(TimelineEntry(clock.to_local(x.raised_at).date(), "Welfare check",
                                     f"Welfare check: {outcome}", x.reason.label if x.reason else None,
                                     x.raised_at, x.recorded_by_id))
    return entries


def _school_age(s: Source) -> list[TimelineEntry]:
    today = clock.today()
    age = school_age_of(s.pupil, today)
    return [TimelineEntry(today, "School age", f"Compulsory school age: {age.status}",
                          f"From {age.starts_on:%-d %b %Y} to {age.ends_on:%-d %b %Y}", None)]


# Each source, the permission of the page that shows it, and the kind of record it reads itself (all of them
# in one statement, app.services.record_kinds): the timeline shows a source only to a viewer who may open that
# page, and reads nothing for a source it does not show.
CONTRIBUTORS: tuple[tuple[Permission, Callable[[Source], list[TimelineEntry]], str | None], ...] = (
    (Permission.PUPILS_VIEW, _record_changes, "record_changes"),
    (Permission.PUPILS_VIEW, _before_placement, None),
    (Permission.PUPILS_VIEW, _belonging_and_events, None),
    (Permission.PLACEMENTS_VIEW, _placements, None),
    (Permission.TASKS_VIEW, _tasks, "tasks"),
    (Permission.EXTERNAL_NOTICES_VIEW, _notices, "notices"),
    (Permission.PROGRESS_RECORD, _progress, None),
    (Permission.REVIEWS_VIEW, _reviews, "reviews"),
    (Permission.WELFARE_CHECKS_VIEW, _welfare_checks, "welfare_checks"),
    (Permission.PUPILS_VIEW, _school_age, None),
)
_KINDS: dict[str, Callable[[Source], Kind]] = {
    "record_changes": _record_changes_kind, "tasks": _tasks_kind, "notices": _notices_kind,
    "reviews": _reviews_kind, "welfare_checks": _welfare_checks_kind,
}


def pupil_timeline(pupil: Pupil, permissions: Collection[Permission],
                   records: PupilRecords | None = None) -> list[TimelineEntry]:
    """Everything AP Hub knows about the pupil that a viewer with these permissions may see, newest first:
    changes to the pupil's record and carers (from the audit trail), referrals, risk assessments, consultations,
    involvements, belonging actions, event risk assessments, placements (start, end, status), tasks and external
    notices about the pupil or their placements, progress, reviews, welfare checks, and today's
    compulsory-school-age status."""
    shown = [(contribute, kind) for permission, contribute, kind in CONTRIBUTORS if permission in permissions]
    source = Source(pupil, records or pupil_records(pupil))
    source.loaded.update(load_kinds({kind: _KINDS[kind](source) for _c, kind in shown if kind}))
    entries = [entry for contribute, _kind in shown for entry in contribute(source)]
    names = _names(e.who_id for e in entries)
    for entry in entries:
        entry.who = names.get(entry.who_id)
    far_past = datetime.min.replace(tzinfo=clock.now().tzinfo)
    entries.sort(key=lambda e: (e.on, e.at or far_past), reverse=True)
    return entries
