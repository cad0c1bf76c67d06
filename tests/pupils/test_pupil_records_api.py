"""A pupil's pre-placement records through the API (issue 17 item 1): referral, risk assessment (and its review),
consultation and involvement, by the same service as the pages; each refusal names its field and saves nothing;
another school's pupil is a 404; a role without the permission a 403."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Involvement, ParentConsultation, PupilRiskAssessment, Referral
from app.services import api_tokens
from tenants import system_scope
from tests.helpers import school_time


def auth(world, who: str) -> dict:
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}


def count(model) -> int:
    with system_scope("test: count"):
        return db.session.scalar(select(func.count(model.id)))


REFERRAL = {"academic_needs": "Behind in maths", "personal_needs": "Anxiety", "social_needs": "Few friends",
            "reasons": ["risk_of_permanent_exclusion"], "options_considered": "The Hive first",
            "proposed_on": "2026-01-12"}
RISK = {"assessed_on": "2026-01-12", "risks": "Absconding", "control_measures": "Met at the gate",
        "review_due_on": "2026-03-01"}
CONSULTATION = {"consulted_on": "2026-01-12", "method": "meeting", "carer_views": "Supportive",
                "school_decision": "Go ahead"}
INVOLVEMENT = {"party": "local_authority_send", "person_name": "A Caseworker", "involved_on": "2026-01-12",
               "ehcp_review_needed": False}
CASES = [("referrals", Referral, REFERRAL, {"academic_needs": None}, "academic_needs"),
         ("risk-assessments", PupilRiskAssessment, RISK, {"review_due_on": "2026-01-01"}, "review_due_on"),
         ("consultations", ParentConsultation, CONSULTATION, {"method": "carrier pigeon"}, "method"),
         ("involvements", Involvement, INVOLVEMENT, {"ehcp_review_needed": None}, "ehcp_review_needed")]


@pytest.mark.parametrize("kind, model, body, bad, field", CASES)
def test_a_pre_placement_record_through_the_api(client, world, pupils, kind, model, body, bad, field):
    url = f"/api/v1/schools/alder/pupils/{pupils['a'].id}/{kind}"
    with school_time("2026-01-12 10:00"):
        refused = client.post(url, json={**body, **bad}, headers=auth(world, "a.ap_leader"))
        assert refused.status_code == 400 and list(refused.get_json()["error"]["fields"]) == [field]
        unknown = client.post(url, json={**body, "school_id": 2}, headers=auth(world, "a.ap_leader"))
        assert unknown.status_code == 400 and list(unknown.get_json()["error"]["fields"]) == ["school_id"]
        assert client.post(url, json=body, headers=auth(world, "a.designated_governor")).status_code == 403
        other = f"/api/v1/schools/alder/pupils/{pupils['b'].id}/{kind}"
        assert client.post(other, json=body, headers=auth(world, "a.ap_leader")).status_code == 404
        assert count(model) == 0  # nothing saved by any refusal
        saved = client.post(url, json=body, headers=auth(world, "a.ap_leader"))
    assert saved.status_code == 201 and saved.get_json()["pupil_id"] == pupils["a"].id
    assert count(model) == 1


def test_a_risk_assessment_review_points_at_the_one_it_reviews(client, world, pupils):
    url = f"/api/v1/schools/alder/pupils/{pupils['a'].id}/risk-assessments"
    with school_time("2026-02-12 10:00"):
        first = client.post(url, json=RISK, headers=auth(world, "a.dsl")).get_json()
        early = client.post(url, json={**RISK, "reviews_id": first["id"], "assessed_on": "2026-01-01"},
                            headers=auth(world, "a.dsl"))
        assert early.status_code == 400 and list(early.get_json()["error"]["fields"]) == ["assessed_on"]
        missing = client.post(url, json={**RISK, "reviews_id": 999999}, headers=auth(world, "a.dsl"))
        assert missing.status_code == 404
        review = client.post(url, json={**RISK, "reviews_id": first["id"], "assessed_on": "2026-02-12",
                                        "review_due_on": "2026-04-01"}, headers=auth(world, "a.dsl"))
    assert review.status_code == 201 and review.get_json()["reviews_id"] == first["id"]
