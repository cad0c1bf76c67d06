"""The pupil API: list, one pupil, create with an allow-list; another school's pupil is a JSON 404."""
from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Pupil
from app.services import api_tokens
from tenants import system_scope
from tests.helpers import fresh_client, school_time
from tests.pupils.conftest import valid_upn


def _headers(user):
    return {"Authorization": f"Bearer {api_tokens.issue(user, 'test')}"}


def test_list_and_read_your_schools_pupils_only(app, world, pupils):
    client, headers = fresh_client(app), _headers(world.users["a.ap_leader"])
    listing = client.get("/api/v1/schools/alder/pupils?q=rob", headers=headers).get_json()
    assert [p["last_name"] for p in listing["items"]] == ["Alderson"] and listing["next"] is None
    one = client.get(f"/api/v1/schools/alder/pupils/{pupils['a'].id}", headers=headers).get_json()
    assert one["upn"] == pupils["a"].upn and one["carers"] == []
    response = client.get(f"/api/v1/schools/alder/pupils/{pupils['b'].id}", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"]["message"] == "No such pupil."
    assert client.get("/api/v1/schools/birch/pupils", headers=headers).status_code == 404
    assert client.get("/api/v1/schools/alder/pupils?colour=red", headers=headers).get_json()["error"]["fields"] == {
        "colour": ["Unknown field."]}


def test_a_governor_may_not_read_pupil_records(app, world, pupils):
    response = fresh_client(app).get("/api/v1/schools/alder/pupils", headers=_headers(world.users["a.designated_governor"]))
    assert response.status_code == 403


def test_create_a_pupil_and_errors_name_the_field(app, world):
    client, headers = fresh_client(app), _headers(world.users["a.ap_leader"])
    upn = valid_upn()
    with school_time("2026-01-12 10:00"):
        bad = client.post("/api/v1/schools/alder/pupils", headers=headers, json={
            "upn": "B1", "first_name": "Jo", "last_name": "Doe", "date_of_birth": "2012-05-17", "year_group": 9,
            "school_id": 2})
        assert bad.status_code == 400 and bad.get_json()["error"]["fields"] == {"school_id": ["Unknown field."]}
        bad = client.post("/api/v1/schools/alder/pupils", headers=headers, json={
            "upn": "B1", "first_name": "Jo", "last_name": "Doe", "date_of_birth": "2012-05-17", "year_group": 9})
        assert bad.status_code == 400 and "13 characters" in bad.get_json()["error"]["fields"]["upn"][0]
        with system_scope("test"):
            assert db.session.scalar(select(func.count(Pupil.id))) == 0
        good = client.post("/api/v1/schools/alder/pupils", headers=headers, json={
            "upn": upn, "first_name": "Jo", "last_name": "Doe", "date_of_birth": "2012-05-17", "year_group": 9,
            "has_ehcp": True})
    assert good.status_code == 201
    assert (good.get_json()["upn"], good.get_json()["has_ehcp"], good.get_json()["compulsory_school_age"]) == (
        upn, True, "compulsory")


def test_the_pupil_paths_are_in_the_openapi_document(app):
    from openapi_spec_validator import validate

    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {"get", "post"} <= set(document["paths"]["/api/v1/schools/{school_slug}/pupils"])
    assert "PupilInput" in document["components"]["schemas"]
