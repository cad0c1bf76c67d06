"""The reviews API: list, one review, the reviews due, recording one (its task completed, field-named errors,
nothing saved on bad input), in the OpenAPI document; another school's review is a JSON 404."""
from __future__ import annotations

from openapi_spec_validator import validate

from app.models import TaskStatus
from app.services import api_tokens
from jobs.review_sweeps import half_termly_reviews
from tests.helpers import fresh_client, school_time
from tests.jobs.schedule_fixtures import Ids
from tests.reviews.conftest import D, active_placement, enter_year, review_tasks
from tests.reviews.test_review_record import reviews_in

BODY = {"held_on": "2026-03-12", "pupil_attended": True, "parents_attended": True,
        "progress_against_aims": "Reading age up a year", "pupil_views": "Enjoys the kitchen work",
        "parents_views": "Happy with the provider", "next_review_on": "2026-05-07"}


def test_reviews_through_the_api(app, world):
    ids = Ids(world)
    tokens = {who: {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}
              for who in ("a.ap_leader", "b.ap_leader", "a.dsl")}
    enter_year(ids.a)
    made = active_placement(ids, first_name="Ash", start=D(2025, 9, 4), ehcp=True)
    with school_time("2026-02-24 06:45"):
        half_termly_reviews()
    with school_time("2026-03-12 15:00"):
        client = fresh_client(app)
        leader = tokens["a.ap_leader"]
        due = client.get("/api/v1/schools/alder/reviews/due", headers=leader).get_json()["items"]
        assert [(d["placement_id"], d["due_on"], d["overdue"]) for d in due] == [
            (made.placement_id, "2026-03-20", False)]

        url = f"/api/v1/schools/alder/placements/{made.placement_id}/reviews"
        bad = client.post(url, json={**BODY, "pupil_views": " ", "held_on": "2026-03-30"}, headers=leader)
        assert bad.status_code == 400
        assert set(bad.get_json()["error"]["fields"]) == {"held_on", "pupil_views"}
        assert client.post(url, json={**BODY, "colour": "blue"}, headers=leader).status_code == 400
        assert reviews_in(ids) == []

        created = client.post(url, json=BODY, headers=leader)
        assert created.status_code == 201
        review = created.get_json()
        assert (review["held_on"], review["pupil_views"], review["school_attended"]) == (
            "2026-03-12", "Enjoys the kitchen work", True)
        assert review["information_shared_at"] is not None  # an EHCP: the LA SEND team (8.8)
        assert review_tasks(ids.a)[0].status == TaskStatus.DONE

        listing = client.get(f"/api/v1/schools/alder/reviews?placement_id={made.placement_id}",
                             headers=leader).get_json()["items"]
        assert [r["id"] for r in listing] == [review["id"]]
        one = client.get(f"/api/v1/schools/alder/reviews/{review['id']}", headers=leader).get_json()
        assert one["parents_views"] == "Happy with the provider"

        other = tokens["b.ap_leader"]
        assert client.get(f"/api/v1/schools/birch/reviews/{review['id']}", headers=other).status_code == 404
        assert client.get("/api/v1/schools/alder/reviews", headers=other).status_code == 404
        dsl = tokens["a.dsl"]
        assert client.post(url, json=BODY, headers=dsl).status_code == 403


def test_the_review_resources_are_in_the_openapi_document(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in ("/api/v1/schools/{school_slug}/reviews", "/api/v1/schools/{school_slug}/reviews/due",
                 "/api/v1/schools/{school_slug}/reviews/{review_id}",
                 "/api/v1/schools/{school_slug}/placements/{placement_id}/reviews"):
        assert path in document["paths"]
