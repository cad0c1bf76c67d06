"""Items 1-2 of issue 13: the shared register belongs to the schools that use it. No edit takes a provider away
from the schools that use it; a school with no placement there cannot change what they rely on (it may raise
a concern); every structural change tells the other schools using the provider and is audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification, PlacementStatus, Provider, ProviderContact, ProviderSite
from app.policy import provider_governance as rules
from tenants import system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.providers.conftest import make_provider, place

EDIT = {"name": "Meadow Farm Learning", "kind": "on_site", "registration_status": "unregistered"}


@pytest.fixture(autouse=True)
def _a_school_day():
    with school_time("2026-03-09 10:00", tick=True):
        yield


def _leader(app, world, key):
    client = fresh_client(app)
    assert sign_in(client, world.users[f"{key}.ap_leader"]).status_code == 302
    return client


def _shared_provider_used_by_alder(world) -> Provider:
    provider = make_provider()
    with system_scope("test: a site and a contact"):
        db.session.add_all([ProviderSite(provider_id=provider.id, name="Yard", address="Long Lane",
                                         postcode="TE1 1ST"),
                            ProviderContact(provider_id=provider.id, name="Robin Keeper", phone="01632 960001")])
        db.session.commit()
    place(world.a.id, provider.id, hours_a_day=3)
    return provider


def _fresh(provider_id: int) -> Provider:
    with system_scope("test: read the provider"):
        db.session.expire_all()
        provider = db.session.get(Provider, provider_id)
        db.session.refresh(provider)
        return provider


def test_no_edit_takes_a_shared_provider_away_from_the_school_using_it(app, world):
    provider = _shared_provider_used_by_alder(world)
    place(world.b.id, provider.id, hours_a_day=2)  # Birch uses it too, so Birch may edit it
    birch = _leader(app, world, "b")
    response = post_form(birch, f"/birch/providers/{provider.id}/edit", EDIT)
    assert response.status_code == 200
    assert "Kind of provision: " + rules.ON_SITE_REFUSED in response.get_data(as_text=True).replace("&#39;", "'")
    assert _fresh(provider.id).owning_school_id is None
    alder = _leader(app, world, "a")
    assert alder.get(f"/alder/providers/{provider.id}").status_code == 200  # still Alder's to see


def test_the_school_that_added_a_provider_nobody_else_uses_may_make_it_its_own(app, world):
    alder = _leader(app, world, "a")
    created = post_form(alder, "/alder/providers/new", {**EDIT, "name": "The Nest", "kind": "off_site"})
    provider_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    assert post_form(alder, f"/alder/providers/{provider_id}/edit", {**EDIT, "name": "The Nest"}).status_code == 302
    assert _fresh(provider_id).owning_school_id == world.a.id
    # ... but not once another school has a placement there.
    other = make_provider("Shared Barn")
    with system_scope("test"):
        db.session.get(Provider, other.id).created_by_school_id = world.a.id
        db.session.commit()
    place(world.b.id, other.id, hours_a_day=2)
    place(world.a.id, other.id, hours_a_day=2)
    assert post_form(alder, f"/alder/providers/{other.id}/edit", {**EDIT, "name": "Shared Barn"}).status_code == 200
    assert _fresh(other.id).owning_school_id is None


@pytest.mark.parametrize("change, url, data", [
    ("remove a site", "/birch/providers/sites/{site}/remove", {}),
    ("remove a contact", "/birch/providers/contacts/{contact}/remove", {}),
    ("record a material change", "/birch/providers/{provider}/material-change", {"note": "New owners"}),
    ("suspend", "/birch/providers/{provider}/suspend", {"reason": "Heard rumours"}),
    ("edit the details", "/birch/providers/{provider}/edit", {**EDIT, "kind": "off_site", "name": "Renamed"}),
])
def test_a_school_with_no_placement_cannot_change_what_others_rely_on(app, world, change, url, data):
    provider = _shared_provider_used_by_alder(world)
    with system_scope("test"):
        site = db.session.scalar(select(ProviderSite.id).where(ProviderSite.provider_id == provider.id))
        contact = db.session.scalar(select(ProviderContact.id).where(ProviderContact.provider_id == provider.id))
    birch = _leader(app, world, "b")
    target = url.format(site=site, contact=contact, provider=provider.id)
    response = post_form(birch, target, data, form_url=f"/birch/providers/{provider.id}")
    assert response.status_code == 302
    page = birch.get(response.headers["Location"]).get_data(as_text=True).replace("&#39;", "'")
    assert "Raise a concern instead" in page
    after = _fresh(provider.id)
    assert (after.name, after.suspended_at, after.material_change_at) == ("Meadow Farm Learning", None, None)
    with system_scope("test"):
        assert db.session.get(ProviderSite, site).archived_at is None
        assert db.session.get(ProviderContact, contact).archived_at is None


def test_a_school_with_a_placement_changes_it_and_the_others_are_told(app, world):
    provider = _shared_provider_used_by_alder(world)
    place(world.b.id, provider.id, hours_a_day=2, status=PlacementStatus.PLANNED)
    with system_scope("test"):
        site = db.session.scalar(select(ProviderSite.id).where(ProviderSite.provider_id == provider.id))
    birch = _leader(app, world, "b")
    response = post_form(birch, f"/birch/providers/sites/{site}/remove", {},
                         form_url=f"/birch/providers/{provider.id}")
    assert response.status_code == 302
    with system_scope("test"):
        assert db.session.get(ProviderSite, site).archived_at is not None
        told = db.session.scalars(select(Notification).where(Notification.template == "provider_changed")).all()
        assert {n.school_id for n in told} == {world.a.id}
        assert {world.users["a.ap_leader"].email, world.users["a.dsl"].email} <= {n.recipient_email for n in told}
        assert "The site Yard was removed." in told[0].body_text
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "provider_changed",
                                                          AuditEvent.record_id == str(provider.id))) is not None


def test_the_trust_safeguarding_lead_may_change_it_and_a_provider_nobody_uses_is_open():
    assert rules.may_change_shared_record(False, 3, trust_safeguarding_lead=True)
    assert rules.may_change_shared_record(True, 3, trust_safeguarding_lead=False)
    assert rules.may_change_shared_record(False, 0, trust_safeguarding_lead=False)
    assert rules.may_change_shared_record(False, 2, trust_safeguarding_lead=False, owned_by_this_school=True)
    assert not rules.may_change_shared_record(False, 1, trust_safeguarding_lead=False)


def test_the_on_site_and_owner_rules_for_each_branch():
    assert rules.may_record_as_on_site(created_by_this_school=True, other_schools_using=0, owned_by_this_school=False)
    assert not rules.may_record_as_on_site(created_by_this_school=True, other_schools_using=1,
                                           owned_by_this_school=False)
    assert not rules.may_record_as_on_site(created_by_this_school=False, other_schools_using=0,
                                           owned_by_this_school=False)
    assert rules.may_record_as_on_site(created_by_this_school=False, other_schools_using=2, owned_by_this_school=True)
    assert rules.owner_after_edit(None, on_site=True, school_id=1, created_by_school_id=1) == 1
    assert rules.owner_after_edit(None, on_site=True, school_id=1, created_by_school_id=2) is None
    assert rules.owner_after_edit(2, on_site=True, school_id=1, created_by_school_id=1) == 2
    assert rules.owner_after_edit(1, on_site=False, school_id=1, created_by_school_id=1) is None
    assert rules.owner_after_edit(2, on_site=False, school_id=1, created_by_school_id=1) == 2
