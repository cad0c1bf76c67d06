"""The isolation sweep (design invariant 1): no user of school A ever reaches school B's records, by any school
route of the UI or the API, by B's URL or by B's record ids under A's URL; B's data never shows on A's pages;
nothing of B changes. Routes are found in the URL map, records built by tests/tenants/record_builders.py, so
every route and model added later is swept without editing this file.

Cross-school reads belong to trust roles: they see every school, and that read is in the audit trail.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, SchoolRole
from app.roles import SchoolRoleName
from app.services import api_tokens
from tenants import system_scope
from tests.factories import make_user
from tests.helpers import csrf_token, fresh_client, sign_in
from tests.tenants.record_builders import build_one_of_each, model_for_url_arg, models_without_builder, tenant_models

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def school_rules(app) -> list:
    """Every route that names a school: the UI's (school blueprints) and the API's (<school_slug>)."""
    return sorted((r for r in app.url_map.iter_rules() if "school_slug" in r.arguments), key=lambda r: r.rule)


def is_api(rule) -> bool:
    return rule.rule.startswith("/api/")


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture
def sweep(app, world):
    """School A's person holding every school role (so no 403 hides a leak), their clients, and one record of
    every tenant-owned model in each of schools A and B."""
    missing = models_without_builder()
    assert missing == [], (f"tenant-owned models with no record builder: {missing}; register one in "
                           "tests/tenants/record_builders.py so the isolation sweep covers them")
    with system_scope("test: a person with every role in school A"):
        person = make_user("a.everything@test.example.org", "Avery Everything")
        person.school_roles = [SchoolRole(school_id=world.a.id, role=role) for role in SchoolRoleName]
        db.session.commit()
    ui = fresh_client(app)
    assert sign_in(ui, person).status_code == 302
    token = api_tokens.issue(person, "isolation sweep")
    records = {"a": build_one_of_each(world.a.id, "school-A"), "b": build_one_of_each(world.b.id, "school-B")}
    b_markers = [world.b.name] + [u.full_name for key, u in world.users.items() if key.startswith("b.")]
    b_markers += [r.marker for r in records["b"].values() if r.marker]
    return {"ui": ui, "api_headers": {"Authorization": f"Bearer {token}"}, "records": records,
            "b_markers": b_markers, "a": world.a, "b": world.b}


def url(app, rule, school, records) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "school_slug":
            values[arg] = school.slug
        else:
            values[arg] = records[model_for_url_arg(rule.endpoint, arg)].id
    return app.url_map.bind("localhost").build(rule.endpoint, values, method=methods(rule)[0])


def ask(sweep, rule, method: str, target: str):
    if is_api(rule):
        return sweep["ui"].open(target, method=method, headers=sweep["api_headers"],
                                json={} if method in WRITE_METHODS else None)
    data = {"csrf_token": csrf_token(sweep["ui"], "/account/")} if method in WRITE_METHODS else None
    return sweep["ui"].open(target, method=method, data=data)


def leaked(response, markers) -> list[str]:
    body = response.get_data()  # bytes: a PDF or a download is searched as well as a page
    return [m for m in markers if m.encode() in body]


def school_b_rows(school_id: int) -> dict:
    """Every tenant-owned row of school B, read with Core below the scoping: what must not change."""
    snapshot = {}
    with db.engine.connect() as connection:
        for model in tenant_models():
            table = model.__table__
            rows = connection.execute(select(table).where(table.c.school_id == school_id).order_by(*table.primary_key))
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def test_every_school_route_is_on_a_school_blueprint_or_is_an_api_route(app):
    stray = [rule.rule for rule in school_rules(app) if not is_api(rule)
             and not getattr(app.blueprints.get(rule.endpoint.rsplit(".", 1)[0]), "school_scoped", False)]
    assert stray == [], "routes under /<school_slug> must come from tenants.web.school_blueprint (the resolver)"


def test_the_sweep_covers_the_routes_we_know(app):
    rules = {rule.rule for rule in school_rules(app)}
    assert {"/<school_slug>/", "/<school_slug>/key-contacts", "/api/v1/schools/<school_slug>/key-contacts"} <= rules


def test_another_schools_url_is_a_404_showing_none_of_its_data(app, sweep):
    before = school_b_rows(sweep["b"].id)
    wrong = []
    for rule in school_rules(app):
        target = url(app, rule, sweep["b"], sweep["records"]["b"])
        for method in methods(rule):
            response = ask(sweep, rule, method, target)
            if response.status_code != 404 or leaked(response, sweep["b_markers"]):
                wrong.append(f"{method} {target}: {response.status_code}, shows {leaked(response, sweep['b_markers'])}")
            if is_api(rule) and not (response.is_json and response.get_json()["error"]["message"]):
                wrong.append(f"{method} {target}: not a JSON error")
    assert wrong == []
    assert school_b_rows(sweep["b"].id) == before


def test_another_schools_record_id_under_your_own_school_is_a_404(app, sweep):
    before = school_b_rows(sweep["b"].id)
    wrong = []
    for rule in school_rules(app):
        if set(rule.arguments) == {"school_slug"}:
            continue
        target = url(app, rule, sweep["a"], sweep["records"]["b"])
        for method in methods(rule):
            response = ask(sweep, rule, method, target)
            if response.status_code != 404 or leaked(response, sweep["b_markers"]):
                wrong.append(f"{method} {target}: {response.status_code}, shows {leaked(response, sweep['b_markers'])}")
    assert wrong == []
    assert school_b_rows(sweep["b"].id) == before


def test_your_own_schools_pages_show_none_of_another_schools_data(app, sweep):
    wrong = []
    for rule in school_rules(app):
        if "GET" not in rule.methods:
            continue
        target = url(app, rule, sweep["a"], sweep["records"]["a"])
        response = ask(sweep, rule, "GET", target)
        if response.status_code != 200 or leaked(response, sweep["b_markers"]):
            wrong.append(f"GET {target}: {response.status_code}, shows {leaked(response, sweep['b_markers'])}")
    assert wrong == []


def test_the_sweep_would_see_a_leak(app, world, sweep):
    """The markers are real: school B's own people do see them."""
    b_client = fresh_client(app)
    sign_in(b_client, world.users["b.ap_leader"])
    page = b_client.get("/birch/key-contacts")
    assert page.status_code == 200 and leaked(page, sweep["b_markers"])


# --- the API, by name ----------------------------------------------------------------------------------------


def test_a_school_a_token_gets_a_json_404_for_school_bs_key_contacts(app, world):
    token = api_tokens.issue(world.users["a.ap_leader"], "A's script")
    response = fresh_client(app).get("/api/v1/schools/birch/key-contacts", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404 and response.is_json
    assert response.get_json() == {"error": {"status": 404, "message": "No such school."}}
    body = response.get_data(as_text=True)
    assert "Birch" not in body and "B Alternative Provision Leader" not in body


def test_a_leader_of_two_schools_still_cannot_reach_a_third(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["ac.ap_leader"])
    assert client.get("/alder/key-contacts").status_code == 200
    assert client.get("/cedar/key-contacts").status_code == 200
    assert client.get("/birch/key-contacts").status_code == 404


# --- trust roles see every school, and it is recorded --------------------------------------------------------


def _trust_reads(actor_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trust_read",
                                                            AuditEvent.actor_id == actor_id)))


@pytest.mark.parametrize("role", ["trust_safeguarding_lead", "trust_send_lead", "designated_trustee"])
def test_trust_roles_see_every_school_in_the_trust_area_and_it_is_recorded(app, world, role):
    lead = world.users[f"trust.{role}"]
    client = fresh_client(app)
    sign_in(client, lead)
    page = client.get("/trust/contacts")  # key contacts moved off the dashboard (issue 16)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(name in text for name in ("Alder School", "Birch School", "Cedar Infant School"))
    assert "B Alternative Provision Leader" in text  # who holds which role, in every school
    [read] = _trust_reads(lead.id)
    assert read.detail.startswith("trust overview")


@pytest.mark.parametrize("role", ["trust_safeguarding_lead", "trust_send_lead", "designated_trustee"])
def test_trust_roles_list_every_school_through_the_api_and_it_is_recorded(app, world, role):
    lead = world.users[f"trust.{role}"]
    token = api_tokens.issue(lead, "trust report")
    response = fresh_client(app).get("/api/v1/schools", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert [s["slug"] for s in response.get_json()["items"]] == ["alder", "birch", "cedar"]
    assert [r.detail for r in _trust_reads(lead.id)] == ["API: list of schools"]


def test_a_school_role_lists_only_its_own_schools_and_nothing_is_recorded_as_a_trust_read(app, world):
    user = world.users["b.headteacher"]
    token = api_tokens.issue(user, "head's report")
    response = fresh_client(app).get("/api/v1/schools", headers={"Authorization": f"Bearer {token}"})
    assert [s["slug"] for s in response.get_json()["items"]] == ["birch"]
    assert _trust_reads(user.id) == []


@pytest.mark.parametrize("who", ["a.ap_leader", "a.headteacher", "none"])
def test_school_roles_do_not_enter_the_trust_area(app, world, who):
    client = fresh_client(app)
    sign_in(client, world.users[who])
    assert client.get("/trust/").status_code == 403
    assert _trust_reads(world.users[who].id) == []
