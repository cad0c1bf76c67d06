"""The pupil pages: who sees them, forms that name the field and save nothing when wrong, and another school's
pupil unreachable by any route — including posting a carer or consultation to its id under your own URL."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Carer, Involvement, ParentConsultation, Pupil, PupilRiskAssessment, Referral
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.pupils.conftest import make_pupil, valid_upn


@pytest.fixture(autouse=True)
def _a_school_day():
    """Signed in and acting on Monday 12 January 2026 (a session is only good from when it began)."""
    with school_time("2026-01-12 10:00"):
        yield


def _client(app, user):
    client = fresh_client(app)
    assert sign_in(client, user).status_code == 302
    return client


def _rows(model) -> int:
    with system_scope("test: count"):
        return db.session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize("who, status", [("a.ap_leader", 200), ("a.headteacher", 200), ("a.dsl", 200),
                                         ("a.attendance_officer", 200), ("a.designated_governor", 403),
                                         ("a.staff", 403)])
def test_who_sees_pupil_records(app, world, pupils, who, status):
    client = _client(app, world.users[who])
    assert client.get("/alder/pupils/").status_code == status
    assert client.get(f"/alder/pupils/{pupils['a'].id}").status_code == status


def test_the_list_and_the_pupil_page(app, world, pupils):
    client = _client(app, world.users["a.ap_leader"])
    with school_time("2026-01-12 10:00"):
        listing = client.get("/alder/pupils/?q=alder").get_data(as_text=True)
        page = client.get(f"/alder/pupils/{pupils['a'].id}").get_data(as_text=True)
    assert "Alderson" in listing and "Birchall" not in listing
    for words in ("Compulsory school age", "A needs analysis (referral) for the pupil", "Timeline",
                  "An individual risk assessment"):
        assert words in page


def test_adding_a_pupil_names_each_wrong_field_and_saves_nothing(app, world):
    client = _client(app, world.users["a.ap_leader"])
    response = post_form(client, "/alder/pupils/new", {"upn": "B93", "first_name": "", "last_name": "Doe",
                                                       "date_of_birth": "17/05/2030", "year_group": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#upn">UPN (unique pupil number): A UPN has 13 characters; this has 3.' in body
    assert "First name (legal): Enter the pupil&#39;s first name." in body
    assert "Date of birth: The date of birth must be in the past." in body
    assert "Year group: Choose the pupil&#39;s year group." in body
    # A date that is not a date is named before the rules are checked.
    response = post_form(client, "/alder/pupils/new", {"upn": valid_upn(), "first_name": "Jo", "last_name": "Doe",
                                                       "date_of_birth": "31/02/2012", "year_group": "9"})
    assert "Date of birth: Enter a real date" in response.get_data(as_text=True)
    assert _rows(Pupil) == 0


def test_adding_and_changing_a_pupil(app, world):
    client = _client(app, world.users["a.ap_leader"])
    upn = valid_upn()
    with school_time("2026-01-12 10:00"):
        response = post_form(client, "/alder/pupils/new", {
            "upn": upn, "first_name": "Jo", "last_name": "Fictional", "date_of_birth": "17/05/2012",
            "year_group": "9", "has_ehcp": "y"})
        assert response.status_code == 302
        with school_scope(world.a.id):
            pupil = db.session.scalar(select(Pupil))
            assert (pupil.upn, pupil.has_ehcp, pupil.year_group) == (upn, True, 9)
        edit_url = f"/alder/pupils/{pupil.id}/edit"
        assert '<option value="9" selected>' in client.get(edit_url).get_data(as_text=True)
        assert post_form(client, edit_url, {"upn": upn, "first_name": "Jo", "last_name": "Changed",
                                            "date_of_birth": "2012-05-17", "year_group": "10"}).status_code == 302
        page = client.get(f"/alder/pupils/{pupil.id}").get_data(as_text=True)
    assert "Changed" in page and "Pupil record: record changed" in page


def test_recording_everything_before_a_placement_clears_the_missing_list(app, world):
    pupil = make_pupil(world.a.id, has_ehcp=True)
    client = _client(app, world.users["a.ap_leader"])
    base = f"/alder/pupils/{pupil.id}"
    with school_time("2026-01-12 10:00"):
        assert post_form(client, f"{base}/carers/new", {"name": "Pat Fictional", "relationship_to_pupil": "Parent",
                                                         "lives_with": "y", "phone": "01632 960123"}).status_code == 302
        assert post_form(client, f"{base}/referrals/new", {
            "academic_needs": "Behind in maths", "personal_needs": "Anxiety", "social_needs": "Isolated",
            "reasons": ["not_attending", "ehcp_requirements"], "options_considered": "Hive room, then the farm",
            "proposed_on": "05/01/2026"}).status_code == 302
        assert post_form(client, f"{base}/risk-assessments/new", {
            "assessed_on": "06/01/2026", "risks": "Travel alone", "control_measures": "Escorted taxi",
            "review_due_on": "06/03/2026"}).status_code == 302
        with school_scope(world.a.id):
            carer_id = db.session.scalar(select(Carer.id))
        assert post_form(client, f"{base}/consultations/new", {
            "consulted_on": "07/01/2026", "method": "meeting", "carer_id": str(carer_id),
            "carer_views": "Supportive", "school_decision": "Farm placement, three days"}).status_code == 302
        page = client.get(base).get_data(as_text=True)
        assert "The local authority (SEND) involved" in page
        assert "party=local_authority_send" in page
        # The LA SEND involvement must answer the EHCP review question (7.5)
        response = post_form(client, f"{base}/involvements/new", {
            "party": "local_authority_send", "person_name": "SEND Officer", "involved_on": "08/01/2026"})
        assert "Is a formal EHCP review needed" in response.get_data(as_text=True) and _rows(Involvement) == 0
        assert post_form(client, f"{base}/involvements/new", {
            "party": "local_authority_send", "person_name": "SEND Officer", "involved_on": "08/01/2026",
            "ehcp_review_needed": "no"}).status_code == 302
        page = client.get(base).get_data(as_text=True)
    assert "are on record" in page
    with school_scope(world.a.id):
        assert db.session.scalar(select(Referral)).reasons == ["not_attending", "ehcp_requirements"]


def test_a_review_of_a_risk_assessment_points_at_it(app, world):
    pupil = make_pupil(world.a.id)
    with school_scope(world.a.id):
        first = PupilRiskAssessment(pupil_id=pupil.id, assessed_on=date(2025, 9, 1), assessed_by_id=world.users[
            "a.ap_leader"].id, risks="Travel", control_measures="Taxi", review_due_on=date(2025, 12, 1))
        db.session.add(first)
        db.session.commit()
        first_id = first.id
    client = _client(app, world.users["a.dsl"])
    url = f"/alder/pupils/{pupil.id}/risk-assessments/new?reviews={first_id}"
    with school_time("2026-01-12 10:00"):
        form = client.get(url).get_data(as_text=True)
        assert "Review the risk assessment" in form and "Taxi" in form
        assert post_form(client, url, {"assessed_on": "12/01/2026", "risks": "Travel", "control_measures": "Taxi",
                                       "review_due_on": "12/03/2026"}).status_code == 302
    with school_scope(world.a.id):
        review = db.session.scalar(select(PupilRiskAssessment).order_by(PupilRiskAssessment.id.desc()).limit(1))
        assert review.reviews_id == first_id


def test_the_event_risk_form_asks_for_the_direction_circumstances_only_for_a_directed_pupil(app, world):
    from app.models import Placement, Provider, ProviderKind, RegistrationStatus

    pupil = make_pupil(world.a.id)
    client = _client(app, world.users["a.ap_leader"])
    url = f"/alder/pupils/{pupil.id}/event-risk-assessments/new"
    data = {"event_name": "Sports day", "event_on": "01/07/2026", "assessment": "Low risk", "decision": "may attend",
            "assessed_on": "12/01/2026"}
    with school_time("2026-01-12 10:00"):
        with school_scope(world.a.id):
            db.session.add(Placement(pupil_id=pupil.id, is_off_site_direction=True, start_date=date(2026, 2, 2),
                                     provider=Provider(name="Fictional Centre", kind=ProviderKind.OFF_SITE,
                                                       registration_status=RegistrationStatus.UNREGISTERED)))
            db.session.commit()
        response = post_form(client, url, data)
        assert "This pupil is directed off-site: consider the circumstances" in response.get_data(as_text=True)
        assert post_form(client, url, {**data, "direction_circumstances_considered": "No incidents since"}
                         ).status_code == 302


# --- another school's pupil ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, data", [
    ("carers/new", {"name": "Intruder", "phone": "01632 960999"}),
    ("consultations/new", {"consulted_on": "07/01/2026", "method": "meeting", "carer_views": "x",
                           "school_decision": "y"}),
    ("referrals/new", {"academic_needs": "a", "personal_needs": "b", "social_needs": "c",
                       "reasons": "not_attending", "options_considered": "d", "proposed_on": "05/01/2026"}),
    ("involvements/new", {"party": "social_worker", "person_name": "x", "involved_on": "05/01/2026"}),
    ("edit", {"upn": "B935200000001", "first_name": "Hacked", "last_name": "x", "date_of_birth": "17/05/2012",
              "year_group": "9"}),
])
def test_posting_to_another_schools_pupil_under_your_schools_url_is_a_404_and_saves_nothing(
        app, world, pupils, path, data):
    client = _client(app, world.users["a.ap_leader"])
    before = {m: _rows(m) for m in (Carer, ParentConsultation, Referral, Involvement)}
    with school_time("2026-01-12 10:00"):
        response = post_form(client, f"/alder/pupils/{pupils['b'].id}/{path}", data,
                             form_url=f"/alder/pupils/{pupils['a'].id}/{path}")
        assert response.status_code == 404
        assert "Birchall" not in response.get_data(as_text=True)
        assert client.get(f"/alder/pupils/{pupils['b'].id}").status_code == 404
        assert client.get(f"/birch/pupils/{pupils['b'].id}").status_code == 404
    assert {m: _rows(m) for m in before} == before
    with system_scope("test: read back"):
        assert db.session.get(Pupil, pupils["b"].id).first_name == "Blake"


def test_a_consultation_cannot_name_another_schools_placement(app, world, pupils):
    from app.models import Placement, Provider, ProviderKind, RegistrationStatus

    with school_scope(world.b.id):
        placement = Placement(pupil_id=pupils["b"].id, start_date=date(2026, 2, 2),
                              provider=Provider(name="Fictional Farm", kind=ProviderKind.OFF_SITE,
                                                registration_status=RegistrationStatus.UNREGISTERED))
        db.session.add(placement)
        db.session.commit()
        placement_id = placement.id
    client = _client(app, world.users["a.ap_leader"])
    url = f"/alder/pupils/{pupils['a'].id}/consultations/new?placement_id={placement_id}"
    assert client.get(url).status_code == 404
    with school_time("2026-01-12 10:00"):
        response = post_form(client, url, {"consulted_on": "07/01/2026", "method": "meeting", "carer_views": "x",
                                           "school_decision": "y"}, form_url=f"/alder/pupils/{pupils['a'].id}")
    assert response.status_code == 404 and _rows(ParentConsultation) == 0
