"""The weekly retention review on frozen time across years (issue 19, item 2): nothing destroyed before its date
or without the data protection officer's approval, legal holds respected, files removed from disk, anonymised
records still counted."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AttendanceSession,
    AuditEvent,
    Carer,
    DisposalStatus,
    FlexiAgreement,
    FlexiRequest,
    FlexiReview,
    FlexiReviewOutcome,
    PartTimeTimetable,
    PartTimeTimetableReview,
    Placement,
    PlacementStatus,
    Provider,
    ProviderEvidenceFile,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    RetentionDisposal,
    SessionOfDay,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
    WelfareCheck,
)
from app.policy.part_time_timetables import ReviewDecision
from app.services import evidence, flexi_documents, legal_holds, retention
from app.services.attendance_picture import marks_of_pupil
from app.services.evidence import ALLOWED_TYPES, CheckedUpload
from jobs.retention_sweeps import retention_review
from tenants import school_scope, system_scope
from tests.factories import build_world

PDF = b"%PDF-1.4 fictional evidence"


def _pupil(upn: str, name: str, born: date, left: datetime | None) -> Pupil:
    pupil = Pupil(upn=upn, first_name=name, last_name="Example", date_of_birth=born, year_group=11,
                  medical_needs="asthma", archived_at=left)
    db.session.add(pupil)
    return pupil


@pytest.fixture
def records(app):
    world = build_world()
    officer = world.users["trust.designated_trustee"]
    officer_id = officer.id
    with school_scope(world.a.id):
        provider = Provider(name="Riverside Skills", kind=ProviderKind.OFF_SITE,
                            registration_status=RegistrationStatus.UNREGISTERED)
        left = datetime(2026, 7, 22, 15, 0, tzinfo=UTC)
        leaver = _pupil("A100000000001", "Leaver", date(2010, 3, 10), left)
        on_roll = _pupil("A100000000002", "Stayer", date(2010, 3, 10), None)
        held = _pupil("A100000000003", "Held", date(2010, 3, 10), left)
        db.session.add(provider)
        db.session.flush()
        placement = Placement(pupil=leaver, provider=provider, start_date=date(2025, 9, 3),
                              status=PlacementStatus.ENDED, ended_on=date(2026, 7, 20), end_progress="made progress",
                              end_destination="college")
        session = AttendanceSession(placement=placement, pupil=leaver, provider=provider, day=date(2026, 3, 2),
                                    session=SessionOfDay.AM, starts_at=time(9), ends_at=time(12),
                                    cutoff_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC), register_code="B",
                                    note="came in upset")
        db.session.add_all([placement, session])
        for pupil in (leaver, on_roll, held):
            db.session.add(Carer(pupil=pupil, name=f"Carer of {pupil.first_name}"))
            db.session.add(WelfareCheck(pupil=pupil, raised_at=left, notes="home visit"))
        upload = evidence.check_upload("dbs.pdf", PDF)
        stored = evidence.store_evidence(upload, provider_id=provider.id, user_id=officer_id, school_id=world.a.id)
        db.session.commit()
        ids = dict(leaver=leaver.id, on_roll=on_roll.id, held=held.id, placement=placement.id, session=session.id,
                   provider=provider.id, school=world.a.id, file=stored.id, path=evidence.evidence_path(stored))
    with system_scope("test"):
        legal_holds.place_legal_hold(reason="Inquiry request", placed_by_id=officer_id,
                                   pupil=db.session.get(Pupil, ids["held"]))
    db.session.remove()
    return world, officer_id, ids


def _proposed() -> set[tuple[str, int]]:
    with system_scope("test"):
        return {(r.record_type, r.record_id) for r in db.session.scalars(select(RetentionDisposal))
                if r.status is DisposalStatus.PROPOSED}


def _approve_all(officer_id: int) -> int:
    with system_scope("test"):
        ids = [r.id for r in retention.proposals()]
        return retention.approve(ids, officer_id)


def _count(model, *where) -> int:
    with system_scope("test"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_nothing_is_due_the_year_after_the_pupil_left(records):
    with freeze_time("2027-09-06 05:30"):
        report = retention_review()
    assert report["proposed"] == 0 and _proposed() == set()


def test_due_records_wait_for_approval_then_go_with_their_files(records):
    world, officer, ids = records
    # 2029: the attendance note is 3 years old; the placement ended under 6 years ago.
    with freeze_time("2029-03-05 05:30"):
        assert retention_review()["proposed"] == 1
        assert _proposed() == {("AttendanceSession", ids["session"])}
        retention_review()  # a second run proposes nothing twice and does nothing unapproved
    assert _count(RetentionDisposal) == 1
    with system_scope("test"):
        assert db.session.get(AttendanceSession, ids["session"]).note == "came in upset"

    # 2035-03-12, after the 25th birthday: the leaver's file and (the provider unused for 6 years) its evidence.
    with freeze_time("2035-03-12 05:30"):
        retention_review()
        proposed = _proposed()
    assert ("WelfareCheck", ids["held"]) not in {p for p in proposed}  # on legal hold
    assert not any(rid == ids["on_roll"] for kind, rid in proposed if kind == "Pupil")  # still on roll
    assert ("Pupil", ids["leaver"]) in proposed and ("ProviderEvidenceFile", ids["file"]) in proposed
    assert ids["path"].exists()  # proposed is not destroyed

    with freeze_time("2035-03-13 10:00"):
        assert _approve_all(officer) == len(proposed)
    with freeze_time("2035-03-19 05:30"):
        report = retention_review()
    assert report["done"] == len(proposed) and report["failed"] == 0

    assert not ids["path"].exists()
    assert _count(ProviderEvidenceFile) == 0
    with system_scope("test"):
        leaver = db.session.get(Pupil, ids["leaver"])
        assert (leaver.first_name, leaver.medical_needs, leaver.date_of_birth) == ("Anonymised", None,
                                                                                   date(2010, 1, 1))
        assert db.session.get(AttendanceSession, ids["session"]).note is None
        placement = db.session.get(Placement, ids["placement"])
        assert placement.end_progress is None and placement.end_destination == "college"
        # The held pupil's and the pupil on roll's records are untouched.
        assert db.session.get(Pupil, ids["held"]).first_name == "Held"
        assert {c.pupil_id for c in db.session.scalars(select(Carer))} == {ids["on_roll"], ids["held"]}
        assert {w.pupil_id for w in db.session.scalars(select(WelfareCheck))} == {ids["on_roll"], ids["held"]}
        # Still counted: three pupils, one placement, the session's mark.
    assert _count(Pupil) == 3 and _count(Placement) == 1
    with school_scope(ids["school"]), freeze_time("2035-03-19 12:00"):
        assert [m.code for m in marks_of_pupil(ids["leaver"])] == ["B"]

    # The trail names what was done, never the personal data it removed.
    with system_scope("test"):
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("retention_%"))).all()
        text = repr([(e.before, e.after, e.detail) for e in events])
    assert {e.action for e in events} == {"retention_approve", "retention_destroy", "retention_anonymise"}
    for personal in ("Leaver", "asthma", "came in upset", "made progress", "Carer of", "dbs.pdf"):
        assert personal not in text
    with system_scope("test"):
        later = db.session.scalars(select(AuditEvent).where(AuditEvent.at >= datetime(2035, 3, 19,
                                                                                     tzinfo=UTC))).all()
    assert "Leaver" not in repr([(e.before, e.after) for e in later])



def test_webhook_events_go_with_their_delivery_log_a_year_on_unless_held(records):
    _world, officer, ids = records
    with system_scope("test"):
        hook = WebhookSubscription(name="Trust MIS", url="https://mis.example.org/hooks", secret="fictional",
                                   event_types=["placement.started"])
        db.session.add(hook)
        db.session.flush()
        events = {}
        for name, pupil_id in (("sent", ids["leaver"]), ("held", ids["held"])):
            event = WebhookEvent(school_id=ids["school"], event_id=f"evt_{name}", dedupe_key=f"started:{name}",
                                 event_type=WebhookEventType.PLACEMENT_STARTED,
                                 occurred_at=datetime(2026, 9, 1, 9, tzinfo=UTC), payload={"data": {"pupil_id": pupil_id}})
            db.session.add(event)
            db.session.flush()
            db.session.add(WebhookDelivery(subscription_id=hook.id, event_id=event.id,
                                           status=WebhookDeliveryStatus.DELIVERED))
            events[name] = event.id
        db.session.commit()
    with freeze_time("2027-08-31 05:30"):
        retention_review()
        assert _proposed() == set()  # not a year yet
    with freeze_time("2027-09-06 05:30"):
        retention_review()
        assert _proposed() == {("WebhookEvent", events["sent"])}  # the held pupil's event stays
    with freeze_time("2027-09-07 10:00"):
        assert _approve_all(officer) == 1
    with freeze_time("2027-09-13 05:30"):
        assert retention_review()["failed"] == 0
    assert _count(WebhookEvent) == 1 and _count(WebhookDelivery) == 1
    with system_scope("test"):
        assert db.session.get(WebhookEvent, events["held"]) is not None

def test_a_hold_placed_after_approval_stops_it(records):
    world, officer, ids = records
    with freeze_time("2035-03-12 05:30"):
        retention_review()
        _approve_all(officer)
    with system_scope("test"):
        legal_holds.place_legal_hold(reason="Claim notified", placed_by_id=officer, provider_id=ids["provider"])
        legal_holds.place_legal_hold(reason="Claim notified", placed_by_id=officer,
                                   pupil=db.session.get(Pupil, ids["leaver"]))
    with freeze_time("2035-03-19 05:30"):
        report = retention_review()
    assert report["done"] == 0 and report["held"] > 0
    assert ids["path"].exists()
    with system_scope("test"):
        assert db.session.get(Pupil, ids["leaver"]).first_name == "Leaver"


def test_a_hold_needs_a_reason(records):
    world, officer, ids = records
    with system_scope("test"), pytest.raises(ValueError, match="reason"):
        legal_holds.place_legal_hold(reason=" ", placed_by_id=officer, provider_id=ids["provider"])


def test_part_time_and_flexi_records_follow_the_pupil_file(records):
    """Sections 9 and 10: the arrangements are anonymised (still counted), their reviews destroyed, and the parents'
    written request goes from disk with the words that name them."""
    world, officer, ids = records
    at = datetime(2026, 1, 5, 10, tzinfo=UTC)
    with school_scope(ids["school"]):
        timetable = PartTimeTimetable(pupil_id=ids["leaver"], reason_category="medical",
                                      reason_details="recovering from surgery", support_plan="phased return",
                                      start_date=date(2026, 1, 5), end_date=date(2026, 2, 13),
                                      original_end_date=date(2026, 2, 13), proposed_by_id=officer, proposed_at=at)
        request = FlexiRequest(pupil_id=ids["leaver"], academic_year=2025, received_on=date(2025, 9, 1),
                               requested_by="Mrs Fictional", request_summary="two days at home", recorded_by_id=officer)
        db.session.add_all([timetable, request])
        db.session.flush()
        flexi_documents.store_document(request, CheckedUpload("letter.pdf", ALLOWED_TYPES[".pdf"], PDF))
        path = flexi_documents.document_path(request)
        agreement = FlexiAgreement(request_id=request.id, pupil_id=ids["leaver"], pupil_needs="anxious in crowds",
                                   rationale="-", start_date=date(2025, 9, 15), home_education_provision="-",
                                   section_7_how_met="-", welfare_responsible_at_home="Mrs Fictional",
                                   school_curriculum="-", school_assessments="-", agreed_on=date(2025, 9, 10),
                                   agreed_by_id=officer)
        db.session.add(agreement)
        db.session.flush()
        db.session.add_all([
            PartTimeTimetableReview(timetable_id=timetable.id, held_on=date(2026, 1, 30), pupil_views="tired",
                                    parent_views="worried", decision=ReviewDecision.EXTEND, recorded_by_id=officer),
            FlexiReview(agreement_id=agreement.id, pupil_id=ids["leaver"], term_key="2025-autumn",
                        held_on=date(2025, 12, 1), progress="settled", outcome=FlexiReviewOutcome.CONTINUE,
                        recorded_by_id=officer),
        ])
        db.session.commit()
        made = dict(timetable=timetable.id, request=request.id, agreement=agreement.id)
    db.session.remove()
    assert path.exists()

    with freeze_time("2035-03-12 05:30"):
        retention_review()
        proposed = _proposed()
    kinds = {kind for kind, _ in proposed}
    assert {"PartTimeTimetable", "PartTimeTimetableReview", "FlexiRequest", "FlexiAgreement", "FlexiReview"} <= kinds
    with freeze_time("2035-03-13 10:00"):
        _approve_all(officer)
    with freeze_time("2035-03-19 05:30"):
        assert retention_review()["failed"] == 0

    assert not path.exists()
    assert _count(PartTimeTimetableReview) == 0 and _count(FlexiReview) == 0
    assert _count(PartTimeTimetable) == 1 and _count(FlexiAgreement) == 1 and _count(FlexiRequest) == 1
    with system_scope("test"):
        timetable = db.session.get(PartTimeTimetable, made["timetable"])
        request = db.session.get(FlexiRequest, made["request"])
        agreement = db.session.get(FlexiAgreement, made["agreement"])
        assert (timetable.reason_details, timetable.reason_category, timetable.start_date) == (
            "Anonymised", "medical", date(2026, 1, 5))
        assert (request.requested_by, request.document_stored_name, request.received_on) == (
            "Anonymised", None, date(2025, 9, 1))
        assert (agreement.pupil_needs, agreement.welfare_responsible_at_home) == ("Anonymised", "Anonymised")
