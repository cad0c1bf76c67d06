"""The placement writes through the API (issue 17 item 1): the same services as the pages, the same permissions,
field-named 400s with nothing saved, another school's placement a 404, and If-Match on every change."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import OffSiteDirection, Placement, PlacementAgreement, PlacementStatus
from app.services import api_tokens
from tenants import school_scope
from tests.placements.conftest import START, make_ready_placement, vetted_provider

BASE = "/api/v1/schools/alder/placements"


def auth(world, who: str, etag: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}
    return {**headers, "If-Match": etag} if etag else headers


def etag_of(client, world, placement_id: int) -> str:
    return client.get(f"{BASE}/{placement_id}", headers=auth(world, "a.ap_leader")).headers["ETag"]


def status(world, placement_id: int, read=lambda p: p.status):
    """What the database holds now (read inside the school's scope)."""
    with school_scope(world.a.id):
        db.session.expire_all()
        return read(db.session.get(Placement, placement_id))


def test_a_placement_is_planned_through_the_api(client, world, frozen, calendar_a):
    ready = make_ready_placement(world)
    provider_id = vetted_provider(world, name="Riverside Skills")
    body = {"pupil_id": ready.pupil_id, "provider_id": provider_id, "start_date": START.isoformat(),
            "arranged_by": "school"}
    refused = client.post(BASE, json={**body, "start_date": "2026-03-01", "planned_end_date": "2026-02-01"},
                          headers=auth(world, "a.ap_leader"))
    assert refused.status_code == 400
    assert set(refused.get_json()["error"]["fields"]) == {"start_date", "planned_end_date"}
    assert client.post(BASE, json={**body, "colour": "red"}, headers=auth(world, "a.ap_leader")).status_code == 400
    assert client.post(BASE, json=body, headers=auth(world, "a.staff")).status_code == 403
    with school_scope(world.a.id):
        assert db.session.query(Placement).count() == 1  # nothing saved by the refusals
    created = client.post(BASE, json=body, headers=auth(world, "a.ap_leader"))
    assert created.status_code == 201 and created.headers["ETag"]
    assert (created.get_json()["status"], created.get_json()["provider_id"]) == ("planned", provider_id)


def test_the_agreement_needs_if_match_and_refuses_a_stale_one(client, world, ready):
    url = f"{BASE}/{ready.placement_id}/agreement"
    body = {"aims_and_outcomes": "Back to full-time", "cost_amount": "45.50", "cost_unit": "session",
            "review_every_weeks": 4}
    assert client.put(url, json=body, headers=auth(world, "a.ap_leader")).status_code == 428
    assert client.put(url, json=body, headers=auth(world, "a.ap_leader", '"stale"')).status_code == 412
    tag = etag_of(client, world, ready.placement_id)
    assert client.put(url, json=body, headers=auth(world, "a.dsl", tag)).status_code == 403
    bad = client.put(url, json={**body, "review_every_weeks": 60}, headers=auth(world, "a.ap_leader", tag))
    assert bad.status_code == 400 and list(bad.get_json()["error"]["fields"]) == ["review_every_weeks"]
    with school_scope(world.a.id):
        assert db.session.query(PlacementAgreement).one().aims_and_outcomes == "Re-engage"  # nothing saved
    saved = client.put(url, json=body, headers=auth(world, "a.ap_leader", tag))
    assert saved.status_code == 200 and saved.get_json()["agreement"]["cost_amount"] == "45.50"
    assert saved.headers["ETag"] != tag
    # someone else's change since: the first writer's tag is stale now
    assert client.put(url, json=body, headers=auth(world, "a.ap_leader", tag)).status_code == 412


def test_the_weekly_pattern_and_key_information(client, world, ready):
    url = f"{BASE}/{ready.placement_id}"
    tag = etag_of(client, world, ready.placement_id)
    overlapping = {"sessions": [{"weekday": 1, "session": "am", "starts_at": "12:00", "ends_at": "09:00"}]}
    bad = client.put(f"{url}/weekly-pattern", json=overlapping, headers=auth(world, "a.ap_leader", tag))
    assert bad.status_code == 400 and list(bad.get_json()["error"]["fields"]) == ["sessions.1-am"]
    assert status(world, ready.placement_id, lambda p: len(p.weekly_sessions)) == 2
    week = {"sessions": [{"weekday": 4, "session": "pm", "starts_at": "13:00", "ends_at": "15:00"}]}
    saved = client.put(f"{url}/weekly-pattern", json=week, headers=auth(world, "a.ap_leader", tag))
    assert saved.status_code == 200 and saved.get_json()["weekly_hours"] == 2.0
    tag = saved.headers["ETag"]
    future = client.put(f"{url}/key-information", json={"shared_on": "2026-04-01", "note": "Profile"},
                        headers=auth(world, "a.ap_leader", tag))
    assert future.status_code == 400 and list(future.get_json()["error"]["fields"]) == ["shared_on"]
    shared = client.put(f"{url}/key-information", json={"shared_on": "2026-03-06", "note": "Profile and plan"},
                        headers=auth(world, "a.ap_leader", tag))
    assert shared.status_code == 200 and shared.get_json()["key_information_shared_on"] == "2026-03-06"


def test_start_is_refused_naming_what_is_missing_then_starts_and_ends(client, world, ready):
    with school_scope(world.a.id):
        db.session.get(Placement, ready.placement_id).key_information_shared_on = None
        db.session.commit()
    url = f"{BASE}/{ready.placement_id}"
    refused = client.post(f"{url}/start", headers=auth(world, "a.ap_leader"))
    assert refused.status_code == 400 and list(refused.get_json()["error"]["fields"]) == ["readiness"]
    assert status(world, ready.placement_id) == PlacementStatus.PLANNED
    tag = etag_of(client, world, ready.placement_id)
    shared = client.put(f"{url}/key-information", json={"shared_on": "2026-03-06", "note": "Profile"},
                        headers=auth(world, "a.ap_leader", tag))
    assert client.post(f"{url}/start", headers=auth(world, "a.ap_leader", tag)).status_code == 412
    started = client.post(f"{url}/start", headers=auth(world, "a.ap_leader", shared.headers["ETag"]))
    assert started.status_code == 200 and started.get_json()["status"] == "active"
    no_destination = client.post(f"{url}/end", json={"ended_on": "2026-03-09"}, headers=auth(world, "a.ap_leader"))
    assert no_destination.status_code == 400 and "destination" in no_destination.get_json()["error"]["fields"]
    assert status(world, ready.placement_id) == PlacementStatus.ACTIVE


def test_another_schools_placement_is_not_found_for_every_write(client, world, ready):
    url = f"/api/v1/schools/birch/placements/{ready.placement_id}"
    headers = auth(world, "b.ap_leader", '"any"')
    assert client.put(f"{url}/agreement", json={}, headers=headers).status_code == 404
    assert client.put(f"{url}/weekly-pattern", json={"sessions": []}, headers=headers).status_code == 404
    assert client.post(f"{url}/start", headers=headers).status_code == 404
    assert client.post(f"{url}/end", json={"ended_on": "2026-03-09"}, headers=headers).status_code == 404
    assert status(world, ready.placement_id) == PlacementStatus.PLANNED


@pytest.fixture
def directed(world, frozen, calendar_a):
    frozen.move_to(datetime(2026, 3, 11, 9, 0, tzinfo=SCHOOL_TZ))
    return make_ready_placement(world, first_name="Jordan", directed=True)


def test_an_off_site_direction_its_letter_and_the_governors_approval(client, world, directed):
    url = f"{BASE}/{directed.placement_id}/off-site-direction"
    body = {"reasons_and_objectives": "Repeated disruption; to re-engage", "review_on": "2026-04-20",
            "ends_by": "2026-05-22", "report_to": "Reception"}
    tag = etag_of(client, world, directed.placement_id)
    bad = client.put(url, json={**body, "review_on": "2026-06-01"}, headers=auth(world, "a.ap_leader", tag))
    assert bad.status_code == 400 and "review_on" in bad.get_json()["error"]["fields"]
    saved = client.put(url, json=body, headers=auth(world, "a.ap_leader", tag))
    assert saved.status_code == 200 and saved.get_json()["review_on"] == "2026-04-20"
    direction_id = saved.get_json()["id"]
    base = f"/api/v1/schools/alder/off-site-directions/{direction_id}"
    late = client.post(f"{base}/letter-sent", json={"sent_on": "2026-03-13"}, headers=auth(world, "a.ap_leader"))
    assert late.status_code == 400 and list(late.get_json()["error"]["fields"]) == ["sent_on"]
    sent = client.post(f"{base}/letter-sent", json={"sent_on": "2026-03-11"}, headers=auth(world, "a.ap_leader"))
    assert sent.status_code == 200 and sent.get_json()["parents_letter_sent_on"] == "2026-03-11"
    approval = {"approved_on": "2026-03-04", "reference": "FGB 4 March 2026, minute 7"}
    assert client.post(f"{base}/approval", json=approval, headers=auth(world, "a.ap_leader")).status_code == 403
    no_reference = client.post(f"{base}/approval", json={"approved_on": "2026-03-04"},
                               headers=auth(world, "a.designated_governor"))
    assert no_reference.status_code == 400 and "reference" in no_reference.get_json()["error"]["fields"]
    with school_scope(world.a.id):
        assert db.session.get(OffSiteDirection, direction_id).governing_body_approved_on is None
    approved = client.post(f"{base}/approval", json=approval, headers=auth(world, "a.designated_governor"))
    assert approved.status_code == 200 and approved.get_json()["governing_body_approved_on"] == "2026-03-04"
    other = f"/api/v1/schools/birch/off-site-directions/{direction_id}/approval"
    assert client.post(other, json=approval, headers=auth(world, "b.designated_governor")).status_code == 404


WRITES = [("PUT", "agreement", {}), ("PUT", "weekly-pattern", {"sessions": []}),
          ("PUT", "key-information", {"shared_on": "2026-03-06", "note": "Profile"}), ("POST", "start", None),
          ("POST", "end", {"ended_on": "2026-03-09", "destination": "Back to school"}),
          ("PUT", "off-site-direction", {"reasons_and_objectives": "x", "review_on": "2026-04-20",
                                         "ends_by": "2026-05-22"})]


def test_every_placement_write_is_refused_to_a_role_without_the_permission_and_to_another_school(
        client, world, ready):
    tag = etag_of(client, world, ready.placement_id)
    before = client.get(f"{BASE}/{ready.placement_id}", headers=auth(world, "a.ap_leader")).get_json()
    for method, what, body in WRITES:
        mine = f"{BASE}/{ready.placement_id}/{what}"
        assert client.open(mine, method=method, json=body, headers=auth(world, "a.dsl", tag)).status_code == 403, what
        theirs = f"/api/v1/schools/birch/placements/{ready.placement_id}/{what}"
        assert client.open(theirs, method=method, json=body, headers=auth(world, "b.ap_leader", tag)
                           ).status_code == 404, what
    after = client.get(f"{BASE}/{ready.placement_id}", headers=auth(world, "a.ap_leader"))
    assert after.get_json() == before and after.headers["ETag"] == tag  # nothing changed
