"""The part-time timetable API (issue 15): list, create, one, approval, reviews, the LA return; refusals are 400
naming the field; another school's timetable is a 404 on each route; expected sessions carry kind and code."""
from __future__ import annotations

import pytest

from app.services import api_tokens
from tests.attendance.conftest import morning_sweep
from tests.helpers import school_time
from tests.part_time.conftest import PROPOSED_AT, make_pupil, propose

BASE = "/api/v1/schools/alder/part-time-timetables"


def bearer(world, key) -> dict:
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[key], 'script')}"}


def week():
    return [{"weekday": d, "session": s, "arrangement": "on_site" if s == "am" and d < 4 else "not_in_education"}
            for d in range(5) for s in ("am", "pm")]


def body(pupil_id, **changes):
    values = {"pupil_id": pupil_id, "reason_category": "reintegration", "reason_details": "After a long absence",
              "support_plan": "Reintegration plan", "start_date": "2026-03-16", "end_date": "2026-04-24",
              "sessions": week()}
    values.update(changes)
    return values


def test_create_approve_review_and_read_through_the_api(client, world, calendar_a):
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        staff, head = bearer(world, "a.staff"), bearer(world, "a.headteacher")
        refused = client.post(BASE, json=body(pupil_id, reason_category="behaviour_management"), headers=staff)
        assert refused.status_code == 400
        assert "9.4" in refused.get_json()["error"]["fields"]["reason_category"][0]
        refused = client.post(BASE, json=body(pupil_id, end_date=None), headers=staff)
        assert refused.status_code == 400 and list(refused.get_json()["error"]["fields"]) == ["end_date"]
        created = client.post(BASE, json=body(pupil_id), headers=staff)
        assert created.status_code == 201, created.get_json()
        timetable = created.get_json()
        assert (timetable["status"], timetable["hours_in_education"], timetable["full_time_hours"]) == (
            "proposed", 12.67, 24.0)
        assert timetable["missing_before_approval"] == [
            "the agreement of the parent or carer the pupil normally lives with (9.6)"]
        url = f"{BASE}/{timetable['id']}"
        assert client.post(f"{url}/approval", headers=bearer(world, "a.ap_leader")).status_code == 403
        refused = client.post(f"{url}/approval", headers=head)
        assert refused.status_code == 400 and "approval" in refused.get_json()["error"]["fields"]
        from tests.part_time.conftest import agree

        agree(world, timetable["id"])
        approved = client.post(f"{url}/approval", headers=head)
        assert approved.status_code == 200 and approved.get_json()["status"] == "active"
        assert [t["id"] for t in client.get(BASE, headers=head).get_json()["items"]] == [timetable["id"]]
        assert client.get(f"{BASE}/la-return", headers=head).get_json()["items"][0]["end_date"] == "2026-04-24"
    morning_sweep("2026-03-20")  # the API reads what the 07:30 sweep made
    with school_time("2026-03-20 10:00"):
        sessions = client.get("/api/v1/schools/alder/attendance/sessions", headers=head).get_json()["items"]
        assert [(s["kind"], s["register_code"], s["provider_name"]) for s in sessions] == [
            ("part_time_timetable", "C2", None), ("part_time_timetable", "C2", None)]
    with school_time("2026-04-13 15:00"):
        leader = bearer(world, "a.ap_leader")
        review = {"held_on": "2026-04-13", "pupil_views": "Fine", "parent_views": "Fine", "decision": "extend",
                  "extended_to": "2026-05-22"}
        refused = client.post(f"{url}/reviews", json=review, headers=leader)
        assert refused.status_code == 400 and list(refused.get_json()["error"]["fields"]) == ["extension_reasons"]
        recorded = client.post(f"{url}/reviews", json={**review, "extension_reasons": "Medical advice"},
                               headers=leader)
        assert recorded.status_code == 201
        assert client.get(url, headers=leader).get_json()["end_date"] == "2026-05-22"


@pytest.mark.parametrize("method, path", [("get", ""), ("post", "/approval"), ("post", "/reviews")])
def test_another_schools_timetable_is_a_404(client, world, calendar_a, method, path):
    with school_time(PROPOSED_AT):
        other = propose(world, make_pupil(world, world.b, first_name="Bryn"), school_key="b")
        response = getattr(client, method)(f"{BASE}/{other}{path}", headers=bearer(world, "a.headteacher"),
                                           **({"json": {}} if method == "post" else {}))
        assert response.status_code == 404


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("", "/{timetable_id}", "/{timetable_id}/approval", "/{timetable_id}/reviews", "/la-return"):
        assert f"/api/v1/schools/{{school_slug}}/part-time-timetables{path}" in paths
