"""The flexi-schooling API (section 10): requests (list, create, one), the decision, agreements (list, one) and
withdrawal; refusals are 400s naming the field; expected sessions carry kind and register_code; in the OpenAPI
document; another school's records are JSON 404s."""
from __future__ import annotations

from openapi_spec_validator import validate

from app.services import api_tokens
from tests.attendance.conftest import morning_sweep
from tests.flexi.conftest import D, agree, la_notices
from tests.helpers import fresh_client, school_time

BODY = {"received_on": "2026-01-05", "requested_by": "Morgan Parent",
        "request_summary": "Friday at home for forest school.", "proposed_pattern": ["fri_day"]}


def test_flexi_schooling_through_the_api(app, flexi):
    tokens = {who: {"Authorization": f"Bearer {api_tokens.issue(flexi.world.users[who], 'test')}"}
              for who in ("a.ap_leader", "a.headteacher", "a.dsl", "b.headteacher")}
    school_id, pupil_id = flexi.school_id, flexi.pupil_id
    leader, head = tokens["a.ap_leader"], tokens["a.headteacher"]
    with school_time("2026-01-05 10:00"):
        client = fresh_client(app)
        url = "/api/v1/schools/alder/flexi-schooling-requests"
        bad = client.post(url, json={**BODY, "pupil_id": pupil_id, "proposed_pattern": ["fri_09:00-10:30"]},
                          headers=leader)
        assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"proposed_pattern"}
        assert client.post(url, json={**BODY, "pupil_id": pupil_id, "colour": "blue"},
                           headers=leader).status_code == 400
        assert client.post(url, json={**BODY, "pupil_id": pupil_id}, headers=tokens["a.dsl"]).status_code == 403
        created = client.post(url, json={**BODY, "pupil_id": pupil_id}, headers=leader)
        assert created.status_code == 201
        request_id = created.get_json()["id"]
        assert created.get_json()["proposed_pattern"] == ["Friday: whole day"]
        second = client.post(url, json={**BODY, "pupil_id": pupil_id}, headers=leader)
        assert second.status_code == 400 and "5 January 2026" in second.get_json()["error"]["fields"]["received_on"][0]
        assert [r["id"] for r in client.get(url, headers=tokens["a.dsl"]).get_json()["items"]] == [request_id]

        decision = f"{url}/{request_id}/decision"
        by_leader = client.post(decision, json={"decision": "approve", "reasons": "x"}, headers=leader)
        assert by_leader.status_code == 403  # the headteacher only (10.4)
        assert client.post(decision, json={"decision": "maybe", "reasons": "x"}, headers=head).status_code == 400
        approved = client.post(decision, json={"decision": "approve", "reasons": "A clear plan."}, headers=head)
        assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
        again = client.post(decision, json={"decision": "refuse", "reasons": "No"}, headers=head)
        assert again.status_code == 400 and "decision" in again.get_json()["error"]["fields"]
    with school_time("2026-01-05 11:00"):
        agreement_id = agree(flexi, request_id, start=D(2026, 1, 9)).record.id
    morning_sweep("2026-01-09")  # the API reads what the 07:30 sweep made
    with school_time("2026-01-09 10:00"):
        client = fresh_client(app)
        agreements = "/api/v1/schools/alder/flexi-schooling-agreements"
        listed = client.get(agreements, headers=leader).get_json()["items"]
        assert [(a["id"], a["home_sessions"], a["pattern"]) for a in listed] == [
            (agreement_id, ["fri_am", "fri_pm"], ["Friday: whole day"])]
        sessions = client.get("/api/v1/schools/alder/attendance/sessions?day=2026-01-09", headers=leader)
        assert [(s["kind"], s["register_code"], s["session"]) for s in sessions.get_json()["items"]] == [
            ("flexi_schooling_home", "C", "am"), ("flexi_schooling_home", "C", "pm")]

        withdrawal = f"{agreements}/{agreement_id}/withdrawal"
        short = {"withdrawn_by": "parent", "notice_given_on": "2026-01-09", "end_date": "2026-01-30"}
        refused = client.post(withdrawal, json=short, headers=leader)
        assert refused.status_code == 400 and set(refused.get_json()["error"]["fields"]) == {"reason"}
        done = client.post(withdrawal, json={**short, "end_date": "2026-02-06"}, headers=leader)
        assert done.status_code == 200 and done.get_json()["end_date"] == "2026-02-06"
        assert client.get(f"{agreements}/{agreement_id}", headers=leader).get_json()["withdrawn_by"] == "parent"

        other = tokens["b.headteacher"]  # another school's records are not found, through its own URL or ours
        assert client.get(f"/api/v1/schools/birch/flexi-schooling-requests/{request_id}",
                          headers=other).status_code == 404
        assert client.get(f"/api/v1/schools/birch/flexi-schooling-agreements/{agreement_id}",
                          headers=other).status_code == 404
        assert client.post(f"/api/v1/schools/birch/flexi-schooling-agreements/{agreement_id}/withdrawal",
                           json=short, headers=other).status_code == 404
        assert client.get(url, headers=other).status_code == 404
    assert [n.dedupe_key.split(":")[2] for n in la_notices(school_id)] == ["start", "end"]


def test_the_flexi_routes_are_in_the_openapi_document(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    base = "/api/v1/schools/{school_slug}"
    for path, methods in ((f"{base}/flexi-schooling-requests", {"get", "post"}),
                          (f"{base}/flexi-schooling-requests/{{flexi_request_id}}", {"get"}),
                          (f"{base}/flexi-schooling-requests/{{flexi_request_id}}/decision", {"post"}),
                          (f"{base}/flexi-schooling-agreements", {"get"}),
                          (f"{base}/flexi-schooling-agreements/{{flexi_agreement_id}}", {"get"}),
                          (f"{base}/flexi-schooling-agreements/{{flexi_agreement_id}}/withdrawal", {"post"})):
        assert set(document["paths"][path]) == methods
