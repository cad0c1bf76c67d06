"""The JSON API: personal tokens (shown once, stored hashed, revocable, expiring), errors as JSON naming the
bad fields, and an OpenAPI document that is valid and lists every route."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import String, Text, select

from app.clock import now
from app.extensions import db
from app.models import ApiToken
from app.services import api_tokens
from tests.helpers import csrf_token, fresh_client, school_time, sign_in


@pytest.fixture
def client(app):
    return fresh_client(app)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _create_token_in_the_ui(client, name: str = "MIS sync"):
    return client.post("/account/", data={"token-name": name, "token-create": "Create token",
                                          "token-csrf_token": csrf_token(client, "/account/")})


def _shown_token(response) -> str | None:
    match = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    return match.group(1) if match else None


def _every_stored_string() -> list[str]:
    """Every text value in every table, read with Core (below the tenant scoping, as a database dump would)."""
    values = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if columns:
                for row in connection.execute(select(*columns)):
                    values.extend(str(v) for v in row if v is not None)
    return values


# --- tokens --------------------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client, world):
    sign_in(client, world.users["a.ap_leader"])
    created = _create_token_in_the_ui(client)
    raw = _shown_token(created)
    assert created.status_code == 200 and raw and raw.startswith("aph_")
    assert _shown_token(client.get("/account/")) is None  # never shown again
    assert raw not in client.get("/account/").get_data(as_text=True)

    stored = db.session.scalars(select(ApiToken)).one()
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert stored.prefix == raw[:10] and stored.name == "MIS sync"
    assert not any(raw in value for value in _every_stored_string())


def test_a_token_acts_as_its_holder(client, world):
    user = world.users["a.ap_leader"]
    token = api_tokens.issue(user, "script")
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["email"], body["full_name"]) == (user.email, user.full_name)
    assert body["school_roles"] == [{"school_slug": "alder", "role": "ap_leader", "covers": None}]
    assert body["trust_roles"] == []
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


def test_a_tokens_use_is_recorded_at_most_once_a_minute(client, world):
    """Issue 18: the use was written and committed on every request (half an API request's statements)."""
    from sqlalchemy import event

    token = api_tokens.issue(world.users["a.ap_leader"], "script")
    updates = []

    def count_updates(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS"):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_updates)
    try:
        with school_time("2026-03-11 09:00:00"):
            assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        with school_time("2026-03-11 09:00:40"):
            assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
        assert len(updates) == 1
        with school_time("2026-03-11 09:01:05"):
            assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count_updates)
    assert len(updates) == 2
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at == \
        datetime.fromisoformat("2026-03-11 09:01:05+00:00")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer aph_not-a-real-token", "Basic dXNlcjpwYXNz",
                                    "aph_token-without-the-word-bearer"])
def test_no_token_or_a_wrong_one_is_a_401_in_json(client, world, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.is_json
    assert "Authorization: Bearer" in response.get_json()["error"]["message"]


def test_a_browser_session_is_not_an_api_token(client, world):
    sign_in(client, world.users["a.ap_leader"])
    assert client.get("/api/v1/me").status_code == 401


def test_a_revoked_token_stops_working(client, world):
    user = world.users["a.ap_leader"]
    sign_in(client, user)
    raw = _shown_token(_create_token_in_the_ui(client))
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    token_id = db.session.scalars(select(ApiToken.id)).one()
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    assert "revoked" in client.get("/account/").get_data(as_text=True)


def test_nobody_revokes_someone_elses_token(client, world):
    raw = api_tokens.issue(world.users["a.ap_leader"], "theirs")
    token_id = db.session.scalars(select(ApiToken.id)).one()
    sign_in(client, world.users["b.ap_leader"])
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_a_token_expires(client, world):
    with school_time("2026-03-02 09:00") as clock:
        raw = api_tokens.issue(world.users["a.ap_leader"], "for a day", valid_for=timedelta(days=1))
        clock.tick(timedelta(hours=23, minutes=59))
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
        clock.tick(timedelta(minutes=1))
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


@pytest.mark.parametrize("change", ["disabled", "archived"])
def test_the_token_of_a_disabled_or_archived_user_is_refused(client, world, change):
    user = world.users["a.ap_leader"]
    raw = api_tokens.issue(user, "before leaving")
    if change == "disabled":
        user.is_enabled = False
    else:
        user.archived_at = now()
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_token_reaches_its_holders_school(client, world):
    raw = api_tokens.issue(world.users["a.attendance_officer"], "attendance export")
    response = client.get("/api/v1/schools/alder/key-contacts", headers=bearer(raw))
    assert response.status_code == 200
    body = response.get_json()
    assert body["school"]["name"] == "Alder School"
    assert [line["label"] for line in body["local_authority_contacts"]] == [
        "Local Authority Approved Provider List / In-Year Fair Access", "Virtual School Headteacher"]
    attendance = next(line for line in body["school_contacts"] if line["label"] == "Attendance Officer")
    assert attendance["people"] == [{"name": "A Attendance Officer (KS3)", "email": "a.attendance_officer@test.example.org",
                                     "phone": None}]


def test_schools_lists_the_holders_own_and_filters_by_phase(client, world):
    raw = api_tokens.issue(world.users["ac.ap_leader"], "both schools")
    everything = client.get("/api/v1/schools", headers=bearer(raw)).get_json()["items"]
    assert [s["slug"] for s in everything] == ["alder", "cedar"]
    infants = client.get("/api/v1/schools?phase=infant", headers=bearer(raw)).get_json()["items"]
    assert [s["slug"] for s in infants] == ["cedar"]


# --- errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query, field", [("phase=castle", "phase"), ("colour=red", "colour")])
def test_bad_input_is_a_400_naming_the_field(client, world, query, field):
    raw = api_tokens.issue(world.users["a.ap_leader"], "script")
    response = client.get(f"/api/v1/schools?{query}", headers=bearer(raw))
    assert response.status_code == 400 and response.is_json
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["message"]
    assert list(error["fields"]) == [field] and error["fields"][field]


def test_an_unknown_api_address_and_a_wrong_method_answer_in_json(client, world):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.get_json()["error"]["message"]
    wrong_method = client.post("/api/v1/me")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"]["message"]


# --- the OpenAPI document ------------------------------------------------------------------------------------


def _api_operations(app) -> set[tuple[str, str]]:
    """(path, method) of every /api/v1 route in the URL map, written the OpenAPI way: /schools/{school_slug}."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            operations |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return operations


def _documented_operations(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item
            if method in {"get", "post", "put", "patch", "delete"}}


def _undocumented(app, document: dict) -> set[tuple[str, str]]:
    return _api_operations(app) - _documented_operations(document)


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_openapi_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def test_the_openapi_document_lists_every_api_route_and_nothing_else(app, document):
    assert _undocumented(app, document) == set(), "declare these routes' contracts in their api_route"
    assert _documented_operations(document) - _api_operations(app) == set(), "the document lists routes that do not exist"
    # The check can fail: take a route out of the document and it is caught.
    reduced = {**document, "paths": {p: v for p, v in document["paths"].items() if p != "/api/v1/me"}}
    assert _undocumented(app, reduced) == {("/api/v1/me", "get")}


def test_every_documented_operation_says_how_it_fails(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.endswith(("/openapi.json", "/docs")):  # the document and its reference page are public
                continue
            assert "401" in operation["responses"], f"{method.upper()} {path} does not document its 401"
            assert operation.get("security"), f"{method.upper()} {path} does not say it needs a token"
