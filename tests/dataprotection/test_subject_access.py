"""Subject access (issue 19, item 3): the export holds every kind of record of the pupil and nothing of another
pupil; requested and released by the DSL or headteacher, audited, the one-month deadline a task."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, time

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    AuditEvent,
    BelongingAction,
    Carer,
    Complaint,
    EventRiskAssessment,
    FlexiAgreement,
    FlexiRequest,
    FlexiReview,
    FlexiReviewOutcome,
    Involvement,
    InvolvementParty,
    Notification,
    OffSiteDirection,
    ParentConsultation,
    PartTimeTimetable,
    PartTimeTimetableReview,
    PartTimeTimetableSession,
    Placement,
    PlacementAgreement,
    PlacementReview,
    ProgressKind,
    Provider,
    ProviderKind,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    Referral,
    RegistrationStatus,
    SessionOfDay,
    SubjectAccessRequest,
    Task,
    WeeklySession,
    WelfareCheck,
)
from app.policy.part_time_timetables import Arrangement, ReviewDecision
from app.services import flexi_documents, subject_access
from app.services.evidence import ALLOWED_TYPES, CheckedUpload
from tenants import school_scope, system_scope
from tests.factories import build_world
from tests.helpers import fresh_client, post_form, sign_in

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)


def _everything_about(marker: str, user_id: int, provider: Provider) -> Pupil:
    pupil = Pupil(upn=f"{marker[:4].upper()}{len(marker):09d}", first_name=f"{marker}first", last_name="Example",
                  date_of_birth=date(2012, 6, 1), year_group=9, social_worker_name=f"{marker}-social-worker")
    db.session.add(pupil)
    db.session.flush()
    placement = Placement(pupil=pupil, provider=provider, start_date=date(2026, 9, 7),
                          key_information_note=f"{marker}-key-info")
    db.session.add(placement)
    db.session.flush()
    p, pl, u = pupil.id, placement.id, user_id
    session = AttendanceSession(placement=placement, pupil=pupil, provider=provider, day=date(2026, 11, 2),
                                session=SessionOfDay.AM, starts_at=time(9), ends_at=time(12),
                                cutoff_at=AT, note=f"{marker}-attendance")
    db.session.add_all([
        Carer(pupil=pupil, name=f"{marker}-carer", email=f"{marker}@example.org"),
        Referral(pupil=pupil, academic_needs=f"{marker}-referral", personal_needs="-", social_needs="-", reasons=[],
                 options_considered="-", proposed_by_id=u, proposed_on=date(2026, 9, 1)),
        PupilRiskAssessment(pupil=pupil, assessed_on=date(2026, 9, 1), assessed_by_id=u, risks=f"{marker}-risk",
                            control_measures="-", review_due_on=date(2026, 12, 1)),
        ParentConsultation(pupil_id=p, consulted_on=date(2026, 9, 2), method="meeting",
                           carer_views=f"{marker}-views", school_decision="-", recorded_by_id=u),
        Involvement(pupil_id=p, party=InvolvementParty.SOCIAL_WORKER, person_name=f"{marker}-involved",
                    involved_on=date(2026, 9, 2), recorded_by_id=u),
        BelongingAction(pupil_id=p, kind="visit", on=date(2026, 10, 1), note=f"{marker}-belonging",
                        recorded_by_id=u),
        EventRiskAssessment(pupil_id=p, event_name=f"{marker}-event", event_on=date(2026, 12, 10), assessment="-",
                            decision="may attend", assessed_by_id=u, assessed_on=date(2026, 11, 1)),
        PlacementAgreement(placement_id=pl, aims_and_outcomes=f"{marker}-aims"),
        WeeklySession(placement_id=pl, weekday=0, session=SessionOfDay.AM, starts_at=time(9), ends_at=time(12)),
        OffSiteDirection(placement_id=pl, reasons_and_objectives=f"{marker}-direction", review_on=date(2026, 12, 1),
                         ends_by=date(2027, 3, 1)),
        session,
        WelfareCheck(pupil=pupil, raised_at=AT, notes=f"{marker}-welfare"),
        PlacementReview(placement=placement, pupil=pupil, held_on=date(2026, 10, 20),
                        progress_against_aims=f"{marker}-review", pupil_views="-", parents_views="-",
                        recorded_by_id=u),
        PupilProgressEntry(pupil_id=p, kind=ProgressKind.ACHIEVEMENT, recorded_on=date(2026, 10, 21),
                           text=f"{marker}-progress", recorded_by_id=u),
        Notification(dedupe_key=f"sar-test:{marker}", audience=Audience.LOCAL_AUTHORITY,
                     recipient_email="la@la.example.org", template="notice", context={},
                     subject=f"{marker}-notice", body_text="-", message_id=f"<{marker}@example.org>",
                     about_type="Pupil", about_id=p),
    ])
    _part_time_and_flexi(marker, pupil, u)
    return pupil


def _part_time_and_flexi(marker: str, pupil: Pupil, u: int) -> None:
    """Sections 9 and 10 of the policy, and a complaint naming the pupil (11), with the parents' request file."""
    timetable = PartTimeTimetable(pupil_id=pupil.id, reason_category="medical", reason_details=f"{marker}-part-time",
                                  support_plan="-", start_date=date(2026, 9, 7), end_date=date(2026, 12, 4),
                                  original_end_date=date(2026, 12, 4), proposed_by_id=u, proposed_at=AT)
    request = FlexiRequest(pupil_id=pupil.id, academic_year=2026, received_on=date(2026, 9, 1),
                           requested_by=f"{marker}-parent", request_summary="-", recorded_by_id=u)
    db.session.add_all([timetable, request])
    db.session.flush()
    flexi_documents.store_document(request, CheckedUpload("request.pdf", ALLOWED_TYPES[".pdf"], b"%PDF-" + marker.encode()))
    agreement = FlexiAgreement(request_id=request.id, pupil_id=pupil.id, pupil_needs=f"{marker}-flexi", rationale="-",
                               start_date=date(2026, 9, 14), home_education_provision="-", section_7_how_met="-",
                               welfare_responsible_at_home="-", school_curriculum="-", school_assessments="-",
                               agreed_on=date(2026, 9, 10), agreed_by_id=u)
    db.session.add(agreement)
    db.session.flush()
    db.session.add_all([
        PartTimeTimetableSession(timetable_id=timetable.id, weekday=0, session=SessionOfDay.PM,
                                 arrangement=Arrangement.NOT_IN_EDUCATION, starts_at=time(13), ends_at=time(15)),
        PartTimeTimetableReview(timetable_id=timetable.id, held_on=date(2026, 10, 5), pupil_views="-",
                                parent_views=f"{marker}-pt-review", decision=ReviewDecision.EXTEND,
                                recorded_by_id=u),
        FlexiReview(agreement_id=agreement.id, pupil_id=pupil.id, term_key="2026-autumn", held_on=date(2026, 11, 1),
                    progress=f"{marker}-flexi-review", outcome=FlexiReviewOutcome.CONTINUE, recorded_by_id=u),
        Complaint(raised_by="-", about=f"{marker}-complaint", pupil_id=pupil.id, received_on=date(2026, 10, 1),
                  stage="received", stage_started_on=date(2026, 10, 1), recorded_by_id=u),
    ])


@pytest.fixture
def pupils(app):
    world = build_world()
    dsl = world.users["a.dsl"]
    with school_scope(world.a.id):
        provider = Provider(name="Hillside Learning", kind=ProviderKind.OFF_SITE,
                            registration_status=RegistrationStatus.UNREGISTERED)
        db.session.add(provider)
        db.session.flush()
        ours = _everything_about("subjectzz", dsl.id, provider)
        other = _everything_about("otherqq", dsl.id, provider)
        db.session.commit()
        ids = {"ours": ours.id, "other": other.id, "school": world.a.id}
    emails = {k: u.email for k, u in world.users.items()}
    slugs = {k: s.slug for k, s in world.schools.items()}
    db.session.remove()
    return emails, slugs, ids


def test_the_export_holds_every_kind_of_record_of_the_pupil_and_nothing_of_another(app, pupils):
    emails, slugs, ids = pupils
    with school_scope(ids["school"]):
        export = subject_access.pupil_export(db.session.get(Pupil, ids["ours"]))
        data = subject_access.export_zip(db.session.get(Pupil, ids["ours"]))
    empty = [name for name, s in export["sections"].items() if not s["rows"]]
    assert empty == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert sorted(set(archive.namelist()) - set(files)) == ["record.json", "record.pdf"]
    assert [archive.read(n) for n in files] == [b"%PDF-subjectzz"]  # the parents' request, not the other pupil's
    text = archive.read("record.json").decode()
    for suffix in ("first", "-carer", "-referral", "-risk", "-views", "-involved", "-belonging", "-event", "-aims",
                   "-direction", "-attendance", "-welfare", "-review", "-progress", "-notice", "-key-info",
                   "-part-time", "-pt-review", "-parent", "-flexi", "-flexi-review", "-complaint"):
        assert f"subjectzz{suffix}" in text, suffix
    assert "otherqq" not in text
    assert archive.read("record.pdf").startswith(b"%PDF")
    flagged = {(f["section"], f["field"]) for f in json.loads(text)["redaction_review"]}
    assert {("Carer", "name"), ("Pupil", "social_worker_name"), ("Involvement", "person_name"),
            ("Notification", "recipient_email"), ("FlexiRequest", "requested_by"),
            ("PartTimeTimetableReview", "parent_views"), ("Complaint", "about")} <= flagged


def test_the_dsl_records_exports_and_releases_with_a_one_month_task(app, pupils):
    emails, slugs, ids = pupils
    client = fresh_client(app)
    url = f"/{slugs['a']}/data-protection/pupils/{ids['ours']}/subject-access"
    with freeze_time("2026-12-04 10:00"):
        sign_in(client, emails["a.dsl"])
        refused = post_form(client, url, {"requester": "", "received_on": "2026-12-03"})
        assert "Say who made the request" in refused.get_data(as_text=True)
        assert post_form(client, url, {"requester": "The pupil's mother", "received_on": "2026-12-03"}).status_code == 302
    with system_scope("test"):
        sar = db.session.scalars(select(SubjectAccessRequest)).one()
        task = db.session.scalars(select(Task).where(Task.kind == "subject_access_request")).one()
        assert sar.due_on == date(2027, 1, 3) and task.due_at.date() == date(2027, 1, 3)
        sar_id, task_id = sar.id, task.id
    db.session.remove()
    with freeze_time("2026-12-04 10:05"):
        response = client.get(f"/{slugs['a']}/data-protection/subject-access/{sar_id}/export.zip")
        assert response.status_code == 200 and response.mimetype == "application/zip"
        post_form(client, f"/{slugs['a']}/data-protection/subject-access/{sar_id}/release", {}, form_url=url)
        again = post_form(client, f"/{slugs['a']}/data-protection/subject-access/{sar_id}/release", {}, form_url=url)
        assert "released already" in client.get(again.headers["Location"]).get_data(as_text=True)
    with system_scope("test"):
        actions = [e.action for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "SubjectAccessRequest").order_by(AuditEvent.id))]
        assert actions == ["create", "subject_access_export", "update"]
        assert db.session.get(Task, task_id).status.value == "done"


def test_who_may_use_subject_access(app, pupils):
    emails, slugs, ids = pupils
    url = f"/{slugs['a']}/data-protection/pupils/{ids['ours']}/subject-access"
    for who, status in (("a.headteacher", 200), ("a.dsl", 200), ("a.ap_leader", 403), ("a.attendance_officer", 403),
                        ("b.dsl", 404), ("b.headteacher", 404)):
        client = fresh_client(app)
        sign_in(client, emails[who])
        assert client.get(url).status_code == status, who
