"""Putting mistakes right (issue 14 item 8): every record a person adds can be corrected (the audit trail keeps
the old value) or archived with a reason (hidden from lists, shown on its history), by whoever may add it; another
role is refused and another school's record is a 404. An archived pupil can be restored; a review can raise a
follow-up action as a QA visit does."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditEvent,
    Carer,
    FollowUpAction,
    Involvement,
    ParentConsultation,
    Placement,
    PlacementReview,
    PlacementStatus,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    QAActivity,
    Referral,
    Task,
)
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.tenants.record_builders import build


@pytest.fixture(autouse=True)
def _a_school_day():
    with school_time("2026-01-12 10:00"):
        yield


@dataclass(frozen=True)
class Case:
    model: type
    path: str
    values: dict
    field: str  # the column the correction changes
    adder: str  # a role that adds this kind of record
    refused: str  # a role that sees the pupil but does not add this kind


DAY = "05/01/2026"
CASES = [
    Case(Carer, "carers", {"name": "Corrected Carer", "phone": "07700 900999", "lives_with": "y"}, "name",
         "a.ap_leader", "a.attendance_officer"),
    Case(Referral, "referrals", {"academic_needs": "Corrected needs", "personal_needs": "p", "social_needs": "s",
                                 "reasons": "mainstream_demands", "options_considered": "o", "proposed_on": DAY},
         "academic_needs", "a.dsl", "a.headteacher"),
    Case(PupilRiskAssessment, "risk-assessments", {"assessed_on": DAY, "risks": "Corrected risks",
                                                   "control_measures": "c", "review_due_on": "05/03/2026"},
         "risks", "a.ap_leader", "a.headteacher"),
    Case(ParentConsultation, "consultations", {"consulted_on": DAY, "method": "meeting",
                                               "carer_views": "Corrected views", "school_decision": "d"},
         "carer_views", "a.ap_leader", "a.headteacher"),
    Case(Involvement, "involvements", {"party": "social_worker", "person_name": "Corrected Person",
                                       "involved_on": DAY}, "person_name", "a.ap_leader", "a.headteacher"),
    Case(PlacementReview, "reviews", {"held_on": DAY, "progress_against_aims": "Corrected progress",
                                      "pupil_views": "v", "parents_views": "v", "school_attended": "y"},
         "progress_against_aims", "a.ap_leader", "a.dsl"),
    Case(QAActivity, "qa", {"kind": "home_visit", "held_on": DAY, "findings": "Corrected findings"}, "findings",
         "a.headteacher", "a.dsl"),
    Case(PupilProgressEntry, "progress", {"kind": "achievement", "recorded_on": DAY, "text": "Corrected text"},
         "text", "a.dsl", "a.attendance_officer"),
]


def _client(app, user):
    client = fresh_client(app)
    assert sign_in(client, user).status_code == 302
    return client


def _started(record_id: int, model: type, school_id: int) -> dict:
    """The builders date placements in 2090: a review or QA record is about a started placement."""
    with school_scope(school_id):
        record = db.session.get(model, record_id)
        placement_id = getattr(record, "placement_id", None)
        placement = db.session.get(Placement, placement_id) if placement_id is not None else None
        if placement is not None:
            placement.status, placement.start_date = PlacementStatus.ACTIVE, date(2025, 9, 8)
        db.session.commit()
        return {"placement_id": str(placement.id)} if placement is not None and model is QAActivity else {}


def _record(model, record_id, school_id):
    with school_scope(school_id):
        record = db.session.get(model, record_id)
        db.session.expunge(record)
        return record


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path)
def test_correct_keeps_the_old_value_in_the_audit_trail(app, world, case):
    built = build(case.model, world.a.id, "fix")
    extra = _started(built.id, case.model, world.a.id)
    before = getattr(_record(case.model, built.id, world.a.id), case.field)
    client = _client(app, world.users[case.adder])
    url = f"/alder/records/{case.path}/{built.id}/correct"
    assert client.get(url).status_code == 200
    response = post_form(client, url, {**case.values, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert getattr(_record(case.model, built.id, world.a.id), case.field).startswith("Corrected")
    with system_scope("test: the trail"):
        update = db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == case.model.__name__, AuditEvent.record_id == str(built.id),
            AuditEvent.action == "update")).one()
    assert update.before[case.field] == before and update.actor_id == world.users[case.adder].id
    history = client.get(f"/alder/records/{case.path}/{built.id}/history").get_data(as_text=True)
    assert "corrected by" in history and str(before) in history


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path)
def test_archive_needs_a_reason_and_hides_the_record(app, world, case):
    built = build(case.model, world.a.id, "gone")
    client = _client(app, world.users[case.adder])
    url = f"/alder/records/{case.path}/{built.id}/archive"
    refused = post_form(client, url, {"reason": "  "})
    assert "Say why the record is archived" in refused.get_data(as_text=True)
    assert _record(case.model, built.id, world.a.id).archived_at is None
    assert post_form(client, url, {"reason": "Entered for the wrong pupil"}).status_code == 302
    record = _record(case.model, built.id, world.a.id)
    assert record.archived_at is not None and record.archive_reason == "Entered for the wrong pupil"
    assert client.get(f"/alder/records/{case.path}/{built.id}/correct").status_code == 404
    history = client.get(f"/alder/records/{case.path}/{built.id}/history").get_data(as_text=True)
    assert "Entered for the wrong pupil" in history and "archived by" in history
    if hasattr(record, "pupil_id") and case.model is not PlacementReview:
        page = client.get(f"/alder/pupils/{record.pupil_id}").get_data(as_text=True)
        assert "Archived records" in page and "Entered for the wrong pupil" in page


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path)
def test_another_role_is_refused_and_another_school_is_not_found(app, world, case):
    mine = build(case.model, world.a.id, "mine")
    theirs = build(case.model, world.b.id, "theirs")
    refused = _client(app, world.users[case.refused])
    for action in ("correct", "archive"):
        assert refused.get(f"/alder/records/{case.path}/{mine.id}/{action}").status_code == 403
    adder = _client(app, world.users[case.adder])
    for action in ("correct", "archive", "history"):
        assert adder.get(f"/alder/records/{case.path}/{theirs.id}/{action}").status_code == 404
    response = post_form(adder, f"/alder/records/{case.path}/{theirs.id}/archive", {"reason": "x"},
                         form_url=f"/alder/records/{case.path}/{mine.id}/archive")
    assert response.status_code == 404
    assert _record(case.model, theirs.id, world.b.id).archived_at is None


def test_an_archived_pupil_can_be_restored(app, world):
    built = build(Pupil, world.a.id, "back")
    client = _client(app, world.users["a.ap_leader"])
    page = f"/alder/pupils/{built.id}"
    assert post_form(client, f"/alder/pupils/{built.id}/archive", {}, form_url=page).status_code == 302
    client.get("/alder/pupils/")  # the flash message names the pupil
    assert built.marker not in client.get("/alder/pupils/").get_data(as_text=True)
    assert built.marker in client.get("/alder/pupils/?archived=1").get_data(as_text=True)
    assert post_form(client, f"/alder/pupils/{built.id}/restore", {}, form_url=page).status_code == 302
    assert _record(Pupil, built.id, world.a.id).archived_at is None
    client.get("/alder/pupils/")
    assert built.marker in client.get("/alder/pupils/").get_data(as_text=True)
    with system_scope("test: the trail"):
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.record_type == "Pupil", AuditEvent.record_id == str(built.id),
            AuditEvent.action.in_(["archive", "restore"])).order_by(AuditEvent.id)).all()
    assert actions == ["archive", "restore"]
    other = _client(app, world.users["a.attendance_officer"])
    assert post_form(other, f"/alder/pupils/{built.id}/restore", {}, form_url=page).status_code == 403


def test_a_review_raises_a_follow_up_action_for_its_owner(app, world):
    built = build(PlacementReview, world.a.id, "act")
    _started(built.id, PlacementReview, world.a.id)
    owner = world.users["a.dsl"]
    client = _client(app, world.users["a.ap_leader"])
    url = f"/alder/reviews/{built.id}"
    response = post_form(client, f"{url}/follow-ups", {"description": "Check the new timetable", "owner_id": owner.id,
                                                       "due_on": "19/01/2026"}, form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    with school_scope(world.a.id):
        action = db.session.scalars(select(FollowUpAction)).one()
        task = db.session.scalars(select(Task).where(Task.dedupe_key == f"follow-up:{action.id}")).one()
        assert action.placement_review_id == built.id and action.qa_activity_id is None
        assert task.assigned_user_id == owner.id and "review" in task.detail
    assert "Check the new timetable" in client.get(url).get_data(as_text=True)
    refused = _client(app, world.users["a.dsl"])
    assert post_form(refused, f"{url}/follow-ups", {"description": "x"}, form_url=url).status_code == 403
