"""Conformance of the API to its generated document (issue 17 item 3): every response is checked by the test
client (tests/api_conformance.py); here, that the check can fail, 405s name the allowed methods, ids beyond 64
bits are not found, and every list comes in pages with a cursor."""
from __future__ import annotations

import json
import re

import pytest

from app.api.openapi import api_rules
from app.services import api_tokens
from tests.api_conformance import NonConformingResponse, check_response


def bearer(world, who: str) -> dict:
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}


def test_the_conformance_check_catches_a_body_the_document_does_not_allow(app, client, world):
    response = client.get("/api/v1/me", headers=bearer(world, "a.ap_leader"))
    body = response.get_json()
    response.set_data(json.dumps({**body, "undocumented": 1}))
    with pytest.raises(NonConformingResponse, match="undocumented"):
        check_response(app, response)
    response.set_data(json.dumps({**body, "id": "seven"}))
    with pytest.raises(NonConformingResponse, match="id"):
        check_response(app, response)
    response.status_code = 418
    with pytest.raises(NonConformingResponse, match="status not documented"):
        check_response(app, response)


def test_every_api_address_answers_a_wrong_method_with_405_and_allow(app, client, world):
    auth = bearer(world, "a.ap_leader")
    for rule in api_rules(app):
        path = re.sub(r"<int:[^>]+>", "1", rule.rule).replace("<school_slug>", "alder")
        wrong = next(m for m in ("DELETE", "PATCH", "PUT") if m not in rule.methods)
        response = client.open(path, method=wrong, headers=auth)
        assert response.status_code == 405, (rule.rule, wrong, response.status_code)
        assert set(response.headers["Allow"].split(", ")) >= rule.methods - {"OPTIONS"}, rule.rule


@pytest.mark.parametrize("path", ["/api/v1/schools/alder/placements/99999999999999999999999",
                                  "/api/v1/schools/alder/pupils/9223372036854775808",
                                  "/api/v1/schools/alder/providers/18446744073709551616/concerns"])
def test_an_id_beyond_64_bits_is_not_found(client, world, path):
    response = client.get(path, headers=bearer(world, "a.ap_leader"))
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("value", ["99999999999999999999", "-99999999999999999999"])
def test_a_query_id_beyond_64_bits_is_a_400_naming_it(client, world, value):
    response = client.get(f"/api/v1/schools/alder/qa-activities?provider_id={value}",
                          headers=bearer(world, "a.ap_leader"))
    assert response.status_code == 400 and list(response.get_json()["error"]["fields"]) == ["provider_id"]


def test_a_list_comes_in_pages_by_id_with_a_next_link(client, world):
    auth = bearer(world, "ac.ap_leader")
    first = client.get("/api/v1/schools?limit=1", headers=auth).get_json()
    assert [s["slug"] for s in first["items"]] == ["alder"] and first["next"]
    second = client.get(first["next"], headers=auth).get_json()
    assert [s["slug"] for s in second["items"]] == ["cedar"] and second["next"] is None
    everything = client.get("/api/v1/schools", headers=auth).get_json()
    assert [s["id"] for s in everything["items"]] == sorted(s["id"] for s in everything["items"])
    filtered = client.get("/api/v1/schools?phase=infant&limit=1", headers=auth).get_json()
    assert [s["slug"] for s in filtered["items"]] == ["cedar"] and filtered["next"] is None


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=201", "limit"), ("cursor=rubbish", "cursor"),
                                          ("cursor=eyJhZnRlciI6ICJ4In0", "cursor")])
def test_a_bad_page_is_a_400_naming_the_field(client, world, query, field):
    response = client.get(f"/api/v1/schools?{query}", headers=bearer(world, "ac.ap_leader"))
    assert response.status_code == 400 and list(response.get_json()["error"]["fields"]) == [field]


def test_every_list_in_the_document_is_paged(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            schema = operation["responses"].get("200", {}).get("content", {}).get("application/json", {}).get(
                "schema", {})
            if "items" in schema.get("properties", {}):
                names = {p.get("name") for p in operation["parameters"]}
                assert {"limit", "cursor"} <= names, f"{method.upper()} {path}"
                assert "next" in schema["required"], f"{method.upper()} {path}"
