"""Provider writes through the API (issue 17 item 1): a round of checks and its items (If-Match on each), the
risk assessment's approval (refused naming `items` until every check is done), a material change and suspension
under the register's governance; another school's own provision is a 404, a role without the permission a 403."""
from __future__ import annotations

from app.extensions import db
from app.models import (
    PlacementStatus,
    Provider,
    ProviderCheckItem,
    ProviderContact,
    ProviderKind,
    ProviderSite,
    RegistrationStatus,
)
from app.services import api_tokens
from tenants import system_scope
from tests.providers.conftest import make_provider, place


def auth(world, who: str, etag: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}
    return {**headers, "If-Match": etag} if etag else headers


def read(model, record_id, what):
    with system_scope("test: read"):
        db.session.expire_all()
        return what(db.session.get(model, record_id))


def test_a_round_of_checks_and_the_risk_assessment_through_the_api(client, world, farm):
    base = "/api/v1/schools/alder"
    assert client.post(f"{base}/providers/{farm.id}/checks", headers=auth(world, "a.designated_governor")
                       ).status_code == 403
    started = client.post(f"{base}/providers/{farm.id}/checks", headers=auth(world, "a.ap_leader"))
    assert started.status_code == 201
    check = started.get_json()
    first = check["items"][0]["id"]
    item_url = f"{base}/provider-check-items/{first}"
    tag = client.get(item_url, headers=auth(world, "a.ap_leader")).headers["ETag"]
    met = {"outcome": "met", "evidence_note": "Seen on the visit", "checked_on": "2026-01-05"}
    assert client.put(item_url, json=met, headers=auth(world, "a.ap_leader")).status_code == 428
    no_reason = client.put(item_url, json={"outcome": "not_applicable"}, headers=auth(world, "a.ap_leader", tag))
    assert no_reason.status_code == 400 and list(no_reason.get_json()["error"]["fields"]) == ["not_applicable_reason"]
    assert read(ProviderCheckItem, first, lambda i: i.outcome) is None
    recorded = client.put(item_url, json=met, headers=auth(world, "a.ap_leader", tag))
    assert recorded.status_code == 200 and recorded.get_json()["outcome"] == "met"
    assert client.put(item_url, json=met, headers=auth(world, "a.ap_leader", tag)).status_code == 412

    approve = f"{base}/provider-checks/{check['id']}/risk-assessment"
    early = client.post(approve, json={"rating": "low"}, headers=auth(world, "a.ap_leader"))
    assert early.status_code == 400 and "items" in early.get_json()["error"]["fields"]
    for item in check["items"][1:]:
        url = f"{base}/provider-check-items/{item['id']}"
        tag = client.get(url, headers=auth(world, "a.ap_leader")).headers["ETag"]
        assert client.put(url, json=met, headers=auth(world, "a.ap_leader", tag)).status_code == 200
    assert client.post(approve, json={"rating": "low"}, headers=auth(world, "a.dsl")).status_code == 403
    medium = client.post(approve, json={"rating": "medium"}, headers=auth(world, "a.ap_leader"))
    assert medium.status_code == 400 and "mitigations" in medium.get_json()["error"]["fields"]
    approved = client.post(approve, json={"rating": "low", "risks": "Farm machinery"},
                           headers=auth(world, "a.ap_leader"))
    assert "Add at least one site" in approved.get_json()["error"]["fields"]["details"][0]  # 7.8: where, and who
    with system_scope("test: the farm's site and contact"):
        db.session.add_all([ProviderSite(provider_id=farm.id, name="The farm", address="1 Lane End, Exampleton"),
                            ProviderContact(provider_id=farm.id, name="Dana Office", phone="01632 960001")])
        db.session.commit()
    approved = client.post(approve, json={"rating": "low", "risks": "Farm machinery"},
                           headers=auth(world, "a.ap_leader"))
    assert approved.status_code == 200 and approved.get_json()["status"]["vetting"] == "vetted"


def test_another_schools_own_provision_is_not_found_for_its_writes(client, world):
    hive = make_provider("The Hive", kind=ProviderKind.ON_SITE, owning_school_id=world.b.id,
                         registration=RegistrationStatus.OTHER_REGISTERED)
    base = f"/api/v1/schools/alder/providers/{hive.id}"
    headers = auth(world, "a.ap_leader")
    assert client.post(f"{base}/checks", headers=headers).status_code == 404
    assert client.post(f"{base}/material-change", json={"note": "x"}, headers=headers).status_code == 404
    assert client.post(f"{base}/suspension", json={"reason": "x"}, headers=headers).status_code == 404


def test_material_change_and_suspension_follow_the_registers_governance(client, world, farm):
    place(world.b.id, farm.id, status=PlacementStatus.ACTIVE)
    base = f"/api/v1/schools/alder/providers/{farm.id}"
    refused = client.post(f"{base}/material-change", json={"note": "New site"}, headers=auth(world, "a.ap_leader"))
    assert refused.status_code == 403  # Alder does not use it; Birch does
    assert read(Provider, farm.id, lambda p: p.material_change_at) is None
    place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
    empty = client.post(f"{base}/material-change", json={"note": " "}, headers=auth(world, "a.ap_leader"))
    assert empty.status_code == 400 and list(empty.get_json()["error"]["fields"]) == ["note"]
    changed = client.post(f"{base}/material-change", json={"note": "New site"}, headers=auth(world, "a.ap_leader"))
    assert changed.status_code == 200 and read(Provider, farm.id, lambda p: p.material_change_at) is not None
    no_reason = client.post(f"{base}/suspension", json={"reason": ""}, headers=auth(world, "a.ap_leader"))
    assert no_reason.status_code == 400 and list(no_reason.get_json()["error"]["fields"]) == ["reason"]
    assert client.post(f"{base}/suspension", json={"reason": "Concern"}, headers=auth(world, "a.staff")
                       ).status_code == 403
    suspended = client.post(f"{base}/suspension", json={"reason": "Safeguarding concern"},
                            headers=auth(world, "a.ap_leader"))
    assert suspended.status_code == 200 and suspended.get_json()["status"]["suspended"] is True
    lifted = client.post(f"{base}/suspension-lifted", json={"reason": "Resolved"}, headers=auth(world, "a.ap_leader"))
    assert lifted.status_code == 200 and lifted.get_json()["status"]["suspended"] is False
