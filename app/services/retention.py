"""Applying the retention schedule (issue 19, item 2): find what is due, hold it for the data protection officer's
approval, then destroy or anonymise each approved record in its own transaction.

The schedule and "what is due on day D" are the policy's (app.policy.retention_schedule); this module only gathers
the facts from the database and carries out the actions. It works across schools by design, so every function
here runs in the system scope (the weekly job) or is called from the trust's retention page.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select, update

from app.audit import disposing, record_event
from app.clock import now, today
from app.extensions import db
from app.models import (
    AttendanceSession,
    BelongingAction,
    Carer,
    DisposalStatus,
    EventRiskAssessment,
    FlexiAgreement,
    FlexiRequest,
    FlexiReview,
    Involvement,
    LegalHold,
    Notification,
    ParentConsultation,
    PartTimeTimetable,
    PartTimeTimetableReview,
    Placement,
    PlacementReview,
    Provider,
    ProviderEvidenceFile,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    Referral,
    RetentionDisposal,
    School,
    WebhookDelivery,
    WebhookEvent,
    WelfareCheck,
)
from app.policy.retention_schedule import SCHEDULE, Due, RecordFacts, RetentionAction, Trigger, due_for_action, rule_for
from app.services import evidence, flexi_documents
from app.state_changes import still

log = logging.getLogger(__name__)

# Records kept in the pupil's file: their clock is the pupil's date of birth, once the pupil has left.
PUPIL_FILE_MODELS = (Carer, Referral, PupilRiskAssessment, ParentConsultation, Involvement, BelongingAction,
                     EventRiskAssessment, WelfareCheck, PlacementReview, PupilProgressEntry, PartTimeTimetable,
                     FlexiRequest, FlexiAgreement, FlexiReview)
MODELS = {m.__name__: m for m in (*PUPIL_FILE_MODELS, Pupil, AttendanceSession, Placement, ProviderEvidenceFile,
                                  Notification, PartTimeTimetableReview, WebhookEvent)}
_GONE = "Anonymised"  # what a required free-text field holds once anonymised
# What anonymising clears: free text and identifiers; dates, codes and flags stay, so reports still count them.
ANONYMISED_FIELDS = {
    "Pupil": {"preferred_name": None, "social_worker_name": None, "social_worker_email": None,
              "social_worker_phone": None, "medical_needs": None},
    "AttendanceSession": {"note": None},
    "Placement": {"online_justification": None, "key_information_note": None, "end_progress": None,
                  "end_achievements": None, "end_pupil_assessment": None},
    "PartTimeTimetable": {"reason_details": _GONE, "support_plan": _GONE, "agreed_by_name": None, "end_note": None},
    "FlexiRequest": {"requested_by": _GONE, "request_summary": _GONE, "meeting_note": None, "decision_reasons": None,
                     "document_name": None, "document_stored_name": None, "document_content_type": None,
                     "document_size_bytes": None, "document_sha256": None},
    "FlexiAgreement": {"pupil_needs": _GONE, "rationale": _GONE, "home_education_provision": _GONE,
                       "section_7_how_met": _GONE, "welfare_responsible_at_home": _GONE, "school_curriculum": _GONE,
                       "school_assessments": _GONE, "school_send_provision": None, "withdrawal_reason": None},
}
# Destroyed children first, so a row is gone before what it points at.
_ORDER = {name: i for i, name in enumerate(["WebhookEvent", "Notification", "ProviderEvidenceFile", "PartTimeTimetableReview",
                                             "FlexiReview", "PupilProgressEntry",
                                             "PlacementReview", "WelfareCheck", "EventRiskAssessment",
                                             "BelongingAction", "Involvement", "ParentConsultation",
                                             "PupilRiskAssessment", "Referral", "Carer", "AttendanceSession",
                                             "Placement", "Pupil"])}


def retention_settings() -> dict[str, int]:
    """The school's periods where the toolkit leaves it to them (config RETENTION_YEARS, by record)."""
    return dict(current_app.config.get("RETENTION_YEARS") or {})


def _held() -> tuple[set[int], set[int]]:
    rows = db.session.execute(select(LegalHold.pupil_id, LegalHold.provider_id).where(LegalHold.lifted_at.is_(None)))
    pupils, providers = set(), set()
    for pupil_id, provider_id in rows:
        (pupils.add(pupil_id) if pupil_id is not None else providers.add(provider_id))
    return pupils, providers


def _date(value) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def gather_facts() -> list[RecordFacts]:
    """Every record the schedule covers, with the dates that start its clock. Runs in the system scope."""
    held_pupils, held_providers = _held()
    facts: list[RecordFacts] = []
    for model in PUPIL_FILE_MODELS:
        rows = db.session.execute(
            select(model.id, model.school_id, model.pupil_id, Pupil.date_of_birth, Pupil.archived_at)
            .join(Pupil, Pupil.id == model.pupil_id))
        facts += [RecordFacts(model.__name__, id_, school_id, {Trigger.PUPIL_BIRTH: born},
                              pupil_left_on=_date(left), on_legal_hold=pupil_id in held_pupils)
                  for id_, school_id, pupil_id, born, left in rows]
    # A timetable's reviews belong to the pupil through their timetable.
    for id_, school_id, pupil_id, born, left in db.session.execute(
            select(PartTimeTimetableReview.id, PartTimeTimetableReview.school_id, Pupil.id, Pupil.date_of_birth,
                   Pupil.archived_at)
            .join(PartTimeTimetable, PartTimeTimetable.id == PartTimeTimetableReview.timetable_id)
            .join(Pupil, Pupil.id == PartTimeTimetable.pupil_id)):
        facts.append(RecordFacts("PartTimeTimetableReview", id_, school_id, {Trigger.PUPIL_BIRTH: born},
                                 pupil_left_on=_date(left), on_legal_hold=pupil_id in held_pupils))
    for id_, school_id, born, left in db.session.execute(
            select(Pupil.id, Pupil.school_id, Pupil.date_of_birth, Pupil.archived_at)):
        facts.append(RecordFacts("Pupil", id_, school_id, {Trigger.PUPIL_BIRTH: born}, pupil_left_on=_date(left),
                                 on_legal_hold=id_ in held_pupils))
    # Only sessions with something to anonymise (a note): a bare mark holds nothing more than the register.
    for id_, school_id, pupil_id, provider_id, day in db.session.execute(
            select(AttendanceSession.id, AttendanceSession.school_id, AttendanceSession.pupil_id,
                   AttendanceSession.provider_id, AttendanceSession.day).where(AttendanceSession.note.is_not(None))):
        facts.append(RecordFacts("AttendanceSession", id_, school_id, {Trigger.ENTRY_MADE: day},
                                 on_legal_hold=pupil_id in held_pupils or provider_id in held_providers))
    for id_, school_id, pupil_id, provider_id, ended in db.session.execute(
            select(Placement.id, Placement.school_id, Placement.pupil_id, Placement.provider_id, Placement.ended_on)):
        facts.append(RecordFacts("Placement", id_, school_id, {Trigger.PLACEMENT_ENDS: ended},
                                 on_legal_hold=pupil_id in held_pupils or provider_id in held_providers))
    last_used = _providers_last_used()
    for id_, school_id, provider_id in db.session.execute(
            select(ProviderEvidenceFile.id, ProviderEvidenceFile.uploaded_by_school_id,
                   ProviderEvidenceFile.provider_id)):
        facts.append(RecordFacts("ProviderEvidenceFile", id_, school_id,
                                 {Trigger.PROVIDER_STOPS_BEING_USED: last_used.get(provider_id)},
                                 on_legal_hold=provider_id in held_providers))
    for id_, school_id, created, about_type, about_id in db.session.execute(
            select(Notification.id, Notification.school_id, Notification.created_at, Notification.about_type,
                   Notification.about_id)):
        facts.append(RecordFacts("Notification", id_, school_id, {Trigger.ENTRY_MADE: _date(created)},
                                 on_legal_hold=about_type == "Pupil" and about_id in held_pupils))
    for id_, school_id, occurred, payload in db.session.execute(
            select(WebhookEvent.id, WebhookEvent.school_id, WebhookEvent.occurred_at, WebhookEvent.payload)):
        data = (payload or {}).get("data") or {}
        facts.append(RecordFacts("WebhookEvent", id_, school_id, {Trigger.ENTRY_MADE: _date(occurred)},
                                 on_legal_hold=data.get("pupil_id") in held_pupils
                                 or data.get("provider_id") in held_providers))
    return facts


def _providers_last_used() -> dict[int, dt.date]:
    """When each provider stopped being used: its last placement's end, once none is planned or running; for a
    provider never used, the day it was archived from the register."""
    open_providers = set(db.session.scalars(select(Placement.provider_id).where(Placement.ended_on.is_(None))))
    last = dict(db.session.execute(select(Placement.provider_id, func.max(Placement.ended_on))
                                   .group_by(Placement.provider_id)).all())
    used = {pid for pid in last}
    result = {pid: day for pid, day in last.items() if pid not in open_providers and day is not None}
    for pid, archived in db.session.execute(select(Provider.id, Provider.archived_at)
                                            .where(Provider.archived_at.is_not(None))):
        if pid not in used:
            result[pid] = _date(archived)
    return result


def currently_due(on: dt.date | None = None) -> list[Due]:
    return due_for_action(gather_facts(), on or today(), retention_settings())


@dataclass
class ProposalReport:
    proposed: int = 0
    held: int = 0


def propose_due(on: dt.date | None = None) -> ProposalReport:
    """List what is due for the data protection officer (a row per record, once: the unique key makes a second
    run, or two at once, add nothing). Proposals a legal hold now covers are set aside as held; held ones whose
    hold was lifted come back. Commits."""
    due = {(d.record, d.record_id): d for d in currently_due(on)}
    report = ProposalReport()
    known = {(r.record_type, r.record_id): r for r in db.session.scalars(select(RetentionDisposal))}
    for key, row in known.items():
        if row.status in (DisposalStatus.PROPOSED, DisposalStatus.APPROVED) and key not in due:
            row.status, row.approved_by_id, row.approved_at = DisposalStatus.HELD, None, None
            report.held += 1
        elif row.status is DisposalStatus.HELD and key in due:
            row.status = DisposalStatus.PROPOSED
    for key, d in due.items():
        if key not in known:
            db.session.add(RetentionDisposal(school_id=d.school_id, record_type=d.record, record_id=d.record_id,
                                             action=d.action.value, due_on=d.due_on))
            report.proposed += 1
    db.session.commit()
    return report


def proposals() -> list[RetentionDisposal]:
    return list(db.session.scalars(select(RetentionDisposal).where(RetentionDisposal.status.in_(
        [DisposalStatus.PROPOSED, DisposalStatus.APPROVED])).order_by(RetentionDisposal.due_on,
                                                                       RetentionDisposal.id)))


@dataclass(frozen=True)
class ProposalLine:
    id: int
    school: str | None
    what: str
    record_id: int
    action: str
    due_on: dt.date
    status: str


def proposal_lines() -> list[ProposalLine]:
    """The officer's list: kind and number of each record, never its contents."""
    names = dict(db.session.execute(select(School.id, School.name)).all())
    return [ProposalLine(r.id, names.get(r.school_id), rule_for(r.record_type).what, r.record_id, r.action,
                         r.due_on, r.status.value) for r in proposals()]


def approve(disposal_ids: Iterable[int], approver_id: int) -> int:
    """The data protection officer approves a batch. Only rows still proposed change (`still` decides in the
    database: two approvers at once approve each row once). Returns how many were approved. Commits."""
    approved = 0
    for disposal_id in sorted(set(disposal_ids)):
        if still(RetentionDisposal, disposal_id, RetentionDisposal.status == DisposalStatus.PROPOSED):
            row = db.session.get(RetentionDisposal, disposal_id)
            row.status, row.approved_by_id, row.approved_at = DisposalStatus.APPROVED, approver_id, now()
            approved += 1
    record_event(db.session, "retention_approve", "RetentionDisposal", actor_id=approver_id,
                 detail=f"{approved} approved: ids {','.join(map(str, sorted(set(disposal_ids))))}"[:500])
    db.session.commit()
    return approved


@dataclass
class DisposalReport:
    done: int = 0
    held: int = 0
    failed: int = 0


def carry_out_approved(on: dt.date | None = None) -> DisposalReport:
    """Destroy or anonymise each approved record, one transaction per record, re-checking first that it is still
    due (a legal hold placed since, a pupil back on roll). Uploaded files are removed from disk once the
    transaction that removed their record has committed."""
    still_due = {(d.record, d.record_id) for d in currently_due(on)}
    rows = sorted(db.session.scalars(select(RetentionDisposal).where(
        RetentionDisposal.status == DisposalStatus.APPROVED)), key=lambda r: (_ORDER.get(r.record_type, 99), r.id))
    report = DisposalReport()
    for row in rows:
        if (row.record_type, row.record_id) not in still_due:
            row.status, row.approved_by_id, row.approved_at = DisposalStatus.HELD, None, None
            db.session.commit()
            report.held += 1
            continue
        try:
            leftover = _carry_out(row)
            db.session.commit()
        except Exception:  # one record failing must not stop the others; it stays approved for the next run
            db.session.rollback()
            log.exception("retention action failed for %s %s", row.record_type, row.record_id)
            report.failed += 1
            continue
        if leftover is not None:
            leftover.unlink(missing_ok=True)
        report.done += 1
    return report


def _carry_out(row: RetentionDisposal):
    model = MODELS[row.record_type]
    rule = rule_for(row.record_type)
    obj = db.session.get(model, row.record_id)
    leftover_file = None
    with disposing(db.session):
        if obj is not None and rule.action is RetentionAction.DESTROY:
            if isinstance(obj, ProviderEvidenceFile):
                leftover_file = evidence.evidence_path(obj)
            if isinstance(obj, WebhookEvent):  # its delivery log goes with it
                db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id == obj.id))
            _release_references(model.__table__, row.record_id)
            db.session.delete(obj)
        elif obj is not None:
            if isinstance(obj, FlexiRequest):  # the parent's written request goes with the words that name them
                leftover_file = flexi_documents.document_path(obj)
            anonymise(obj)
        row.status, row.done_at = DisposalStatus.DONE, now()
        record_event(db.session, f"retention_{rule.action.value}", row.record_type, row.record_id,
                     school_id=row.school_id, detail=f"retention schedule: {rule.period}")
        db.session.flush()
    return leftover_file


def anonymise(obj) -> None:
    for field, value in ANONYMISED_FIELDS.get(type(obj).__name__, {}).items():
        setattr(obj, field, value)
    if isinstance(obj, Pupil):
        obj.first_name, obj.last_name = "Anonymised", f"pupil {obj.id}"
        obj.upn = f"ANON{obj.id:09d}"[:13]
        # The year of birth stays for age-band figures; the day does not.
        obj.date_of_birth = dt.date(obj.date_of_birth.year, 1, 1)


def _release_references(table, record_id: int) -> None:
    """Nullable references to a destroyed row are cleared (a placement's referral, a consultation's carer):
    the referring record stays, without the link. Core statements on the connection: no snapshot is written."""
    connection = db.session.connection()
    for other in db.metadata.sorted_tables:  # the table itself too: a risk assessment's review of it
        for fk in other.foreign_keys:
            if fk.column.table is table and fk.parent.nullable:
                connection.execute(update(other).where(fk.parent == record_id).values({fk.parent.name: None}))


def schedule_rows():
    return SCHEDULE
