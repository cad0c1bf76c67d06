"""The provider API: the register with status, a provider's checks, concerns read and raised (validated by
marshmallow), the same visibility as the pages, and the OpenAPI document."""
from __future__ import annotations

from openapi_spec_validator import validate

from app.models import PlacementStatus, ProviderKind, RegistrationStatus
from app.services import api_tokens
from tests.helpers import fresh_client
from tests.providers.conftest import make_provider, place


def api(app, user):
    client = fresh_client(app)
    headers = {"Authorization": f"Bearer {api_tokens.issue(user, 'test')}"}
    return lambda method, url, **kw: client.open(url, method=method, headers=headers, **kw)


def test_the_register_with_status_and_filters(app, world, farm):
    make_provider("The Hive", kind=ProviderKind.ON_SITE, owning_school_id=world.b.id,
                  registration=RegistrationStatus.OTHER_REGISTERED)
    call = api(app, world.users["a.staff"])
    body = call("GET", "/api/v1/schools/alder/providers").get_json()
    assert [p["name"] for p in body["items"]] == ["Meadow Farm Learning"]  # not Birch's own Hive
    assert body["items"][0]["status"]["vetting"] == "not_vetted"
    assert body["items"][0]["status"]["allows_new_placements"] is False
    assert call("GET", "/api/v1/schools/alder/providers?status=vetted").get_json()["items"] == []
    bad = call("GET", "/api/v1/schools/alder/providers?status=great&colour=red")
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"status", "colour"}


def test_a_provider_with_its_checks(app, world, farm):
    from app.services import providers as service
    from tenants import school_scope

    with school_scope(world.a.id):
        service.start_check(farm, world.a, world.users["a.ap_leader"])
    body = api(app, world.users["b.dsl"])("GET", f"/api/v1/schools/birch/providers/{farm.id}").get_json()
    [check] = body["checks"]
    assert check["made_by_school_id"] == world.a.id and "visit" in check["missing"]
    assert {i["item"] for i in check["items"]} >= {"staff_checks_written_confirmation", "visit"}


def test_raising_a_concern_is_validated_and_seen_by_a_school_using_the_provider(app, world, farm):
    place(world.b.id, farm.id, status=PlacementStatus.ACTIVE)
    call = api(app, world.users["a.headteacher"])
    url = f"/api/v1/schools/alder/providers/{farm.id}/concerns"
    bad = call("POST", url, json={"category": "gossip", "severity": "dire", "extra": 1})
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"category", "severity", "details",
                                                                                "extra"}
    made = call("POST", url, json={"category": "behaviour", "severity": "low", "details": "Shouting at pupils"})
    assert made.status_code == 201 and made.get_json()["made_by_school_id"] == world.a.id
    seen = api(app, world.users["b.ap_leader"])("GET", url.replace("alder", "birch")).get_json()["items"]
    assert [c["details"] for c in seen] == ["Shouting at pupils"]
    assert api(app, world.users["a.staff"])("POST", url, json={}).status_code == 403


def test_another_schools_own_provision_is_a_json_404(app, world):
    hive = make_provider("The Hive", kind=ProviderKind.ON_SITE, owning_school_id=world.b.id,
                         registration=RegistrationStatus.OTHER_REGISTERED)
    response = api(app, world.users["a.ap_leader"])("GET", f"/api/v1/schools/alder/providers/{hive.id}")
    assert response.status_code == 404 and response.get_json()["error"]["message"] == "No such provider."


def test_the_openapi_document_describes_the_provider_resources(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "/api/v1/schools/{school_slug}/providers/{provider_id}/concerns" in document["paths"]
    assert {"Provider", "ProviderStatus", "ProviderCheck", "ProviderConcern"} <= set(document["components"]["schemas"])
