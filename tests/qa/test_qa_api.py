"""The QA API (8.1, 8.4-8.6): the providers' next visits, recording a visit with a follow-up action through the same
service as the page (its task for the owner, the visit task completed; field-named 400s with nothing saved), the
list and one activity, follow-up actions (list, filters, one, closing one completes its task), in the OpenAPI
document; another school's records are a JSON 404."""
from __future__ import annotations

from app.models import FollowUpAction, QAActivity, TaskStatus
from app.services import api_tokens
from jobs.qa_sweeps import qa_visits_due
from tests.helpers import fresh_client, school_time
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import VISIT, D, count, enter_year, provider_of, qa_placement, qa_tasks, visit


def test_qa_through_the_api(app, world):
    ids = Ids(world)
    tokens = {who: {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}
              for who in ("a.ap_leader", "b.ap_leader", "a.dsl", "a.attendance_officer")}
    enter_year(ids.a)
    enter_year(ids.b)
    made = qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=3)
    other = qa_placement(ids, "b", first_name="Bea", start=D(2025, 9, 4))
    provider_id = provider_of(ids, made)
    with school_time("2025-09-12 06:50"):
        qa_visits_due()
    with school_time("2025-09-12 12:00"):
        b_visit = visit(ids, provider_of(ids, other, "b"), D(2025, 9, 12), by="b.ap_leader", school_key="b")
    with school_time("2025-09-30 15:00"):
        client = fresh_client(app)
        leader = tokens["a.ap_leader"]
        due = client.get("/api/v1/schools/alder/qa-visits/due", headers=leader).get_json()["items"]
        assert [(d["provider_id"], d["due_on"], d["every_weeks"], d["overdue"], d["placement_ids"]) for d in due] == [
            (provider_id, "2025-09-25", 3, True, [made.placement_id])]
        assert client.get("/api/v1/schools/alder/qa-visits/due",
                          headers=tokens["a.attendance_officer"]).status_code == 403

        url = "/api/v1/schools/alder/qa-activities"
        body = {"kind": "provider_visit", "held_on": "2025-09-30", "provider_id": provider_id, **VISIT,
                "actions": [{"description": "Ask for the lunch rota", "owner_id": ids.users["a.dsl"],
                             "due_on": "2025-10-07"}]}
        bad = client.post(url, json={**body, "work_reviewed": "", "actions": [{"description": "x"}]}, headers=leader)
        assert bad.status_code == 400
        assert set(bad.get_json()["error"]["fields"]) == {"work_reviewed", "actions-0-owner_id", "actions-0-due_on"}
        assert client.post(url, json={**body, "colour": "blue"}, headers=leader).status_code == 400
        assert client.post(url, json={**body, "kind": "picnic"}, headers=leader).status_code == 400
        assert count(ids.a, QAActivity) == 0 and count(ids.a, FollowUpAction) == 0

        created = client.post(url, json=body, headers=leader)
        assert created.status_code == 201
        activity = created.get_json()
        assert (activity["kind"], activity["held_on"], activity["provider_id"]) == ("provider_visit", "2025-09-30",
                                                                                    provider_id)
        [action] = activity["follow_up_actions"]
        assert (action["owner_id"], action["status"], action["overdue"]) == (ids.users["a.dsl"], "open", False)
        assert qa_tasks(ids.a)[0].status == TaskStatus.DONE

        listed = client.get(f"{url}?provider_id={provider_id}", headers=leader).get_json()["items"]
        assert [a["id"] for a in listed] == [activity["id"]]
        assert client.get(f"{url}/{activity['id']}", headers=tokens["a.dsl"]).get_json()["findings"] == VISIT["findings"]
        assert client.get(f"{url}/{b_visit}", headers=leader).status_code == 404  # another school's
        assert client.get(f"{url}?colour=blue", headers=leader).status_code == 400

    with school_time("2025-10-08 09:00"):
        actions = "/api/v1/schools/alder/follow-up-actions"
        overdue = client.get(f"{actions}?overdue=true", headers=leader).get_json()["items"]
        assert [(a["id"], a["overdue"]) for a in overdue] == [(action["id"], True)]
        assert client.get(f"{actions}?status=done", headers=leader).get_json()["items"] == []
        assert client.get(f"{actions}?status=lost", headers=leader).status_code == 400
        one = f"{actions}/{action['id']}"
        assert client.get(one, headers=tokens["a.dsl"]).get_json()["description"] == "Ask for the lunch rota"
        assert client.get(one, headers=tokens["b.ap_leader"]).status_code == 404
        refused = client.post(f"{one}/status", json={"status": "cancelled"}, headers=tokens["a.dsl"])
        assert refused.status_code == 400 and set(refused.get_json()["error"]["fields"]) == {"outcome_note"}
        closed = client.post(f"{one}/status", json={"status": "done", "outcome_note": "Rota received"},
                             headers=tokens["a.dsl"])
        assert closed.status_code == 200 and closed.get_json()["status"] == "done"
        assert qa_tasks(ids.a, "follow_up_action")[0].status == TaskStatus.DONE
        again = client.post(f"{one}/status", json={"status": "done"}, headers=tokens["a.dsl"])
        assert again.status_code == 400 and "already done" in str(again.get_json())


def test_the_qa_routes_are_in_the_openapi_document(app):
    from openapi_spec_validator import validate

    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in ("/api/v1/schools/{school_slug}/qa-activities", "/api/v1/schools/{school_slug}/qa-visits/due",
                 "/api/v1/schools/{school_slug}/follow-up-actions/{follow_up_id}/status"):
        assert path in document["paths"]
