"""The placements API: list, detail, readiness and off-site directions, in the OpenAPI document; another school's
placement is a JSON 404."""
from __future__ import annotations

from datetime import date

from openapi_spec_validator import validate

from app.extensions import db
from app.models import OffSiteDirection, Placement
from app.services import api_tokens
from tenants import school_scope
from tests.helpers import fresh_client


def headers(world, who):
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}


def test_placements_and_their_readiness_through_the_api(app, world, ready):
    client, auth = fresh_client(app), headers(world, "a.ap_leader")
    listing = client.get("/api/v1/schools/alder/placements", headers=auth).get_json()
    assert [(p["id"], p["status"], p["provider_name"]) for p in listing["items"]] == [
        (ready.placement_id, "planned", "Meadow Farm Learning")]
    assert client.get("/api/v1/schools/alder/placements?status=active", headers=auth).get_json() == {"items": [], "next": None}
    assert client.get("/api/v1/schools/alder/placements?status=nonsense", headers=auth).status_code == 400
    detail = client.get(f"/api/v1/schools/alder/placements/{ready.placement_id}", headers=auth).get_json()
    assert detail["weekly_hours"] == 6.0 and detail["agreement"]["cost_amount"] == "40.00"
    assert detail["weekly_sessions"][0] == {"weekday": 0, "session": "am", "starts_at": "09:00", "ends_at": "12:00"}
    readiness = client.get(f"/api/v1/schools/alder/placements/{ready.placement_id}/readiness", headers=auth)
    assert readiness.get_json() == {"placement_id": ready.placement_id, "status": "planned", "ready": True,
                                    "missing": []}
    with school_scope(world.a.id):
        db.session.get(Placement, ready.placement_id).key_information_shared_on = None
        db.session.add(OffSiteDirection(placement_id=ready.placement_id, reasons_and_objectives="Behaviour",
                                        review_on=date(2026, 4, 20), ends_by=date(2026, 5, 22)))
        db.session.commit()
    missing = client.get(f"/api/v1/schools/alder/placements/{ready.placement_id}/readiness",
                         headers=auth).get_json()["missing"]
    assert [(m["condition"], m["section"]) for m in missing] == [("key_information_shared", "7.10")]
    directions = client.get("/api/v1/schools/alder/off-site-directions", headers=auth).get_json()["items"]
    assert [(d["placement_id"], d["governing_body_approved_on"]) for d in directions] == [(ready.placement_id, None)]


def test_another_schools_placement_is_a_json_404(app, world, ready):
    client, auth = fresh_client(app), headers(world, "b.ap_leader")
    response = client.get(f"/api/v1/schools/birch/placements/{ready.placement_id}", headers=auth)
    assert response.status_code == 404 and response.get_json()["error"]["message"] == "No such placement."
    assert client.get("/api/v1/schools/birch/placements", headers=auth).get_json() == {"items": [], "next": None}
    assert client.get("/api/v1/schools/alder/placements", headers=auth).status_code == 404


def test_the_openapi_document_describes_the_placement_resources(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"/api/v1/schools/{school_slug}/placements", "/api/v1/schools/{school_slug}/placements/{placement_id}",
            "/api/v1/schools/{school_slug}/placements/{placement_id}/readiness",
            "/api/v1/schools/{school_slug}/off-site-directions"} <= set(document["paths"])
