"""Webhook subscriptions, kept by the designated trustee (issue 17 item 5): https only (http to loopback in
testing), the secret shown once and never in the audit trail, nobody else sees them; and the events of the
shared register and of welfare checks, which carry ids only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Provider, WebhookSubscription
from app.services import webhook_signing as signing
from app.services.webhook_subscriptions import private_networks, url_problem
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.jobs.outbox_fixtures import run_worker
from tests.placements.conftest import TODAY, make_ready_placement, vetted_provider
from tests.webhooks.conftest import deliveries, events, subscribe

SECRET = re.compile(r"whsec_[A-Za-z0-9_-]{20,}")


@pytest.mark.parametrize(("url", "loopback_http", "problem"), [
    ("https://mis.example.org/aphub", False, None),
    ("http://mis.example.org/aphub", True, "must start https://"),
    ("http://127.0.0.1:8080/hook", False, "must start https://"),
    ("http://127.0.0.1:8080/hook", True, None),
    ("http://localhost/hook", True, None),
    ("https://user:pw@mis.example.org/", False, "user name and password"),
    ("ftp://mis.example.org/", False, "full address"),
    ("mis.example.org/aphub", False, "full address"),
    ("", False, "Enter the address"),
    ("https://mis.example.org/" + "a" * 500, False, "500 characters"),
    # Nothing inside this machine or a private network (server-side request forgery), however it is written.
    ("https://127.0.0.1/hook", False, "this machine"),
    ("https://localhost/hook", False, "this machine"),
    ("https://[::1]/hook", False, "this machine"),
    ("https://10.1.2.3/hook", False, "private or reserved"),
    ("https://192.168.0.10/hook", True, "private or reserved"),
    ("https://169.254.169.254/latest/meta-data/", False, "private or reserved"),  # a cloud's metadata service
    ("https://[::ffff:10.0.0.1]/hook", False, "private or reserved"),
    ("https://[fd00::1]/hook", False, "private or reserved"),
    ("https://0.0.0.0/hook", False, "private or reserved"),
    ("https://81.2.69.142/hook", False, None),
])
def test_an_address_is_https_with_http_only_to_loopback_where_allowed(url, loopback_http, problem):
    found = url_problem(url, loopback_http)
    assert (found is None) if problem is None else (problem in found)


def test_the_trusts_own_networks_named_in_the_settings_are_allowed_and_no_others():
    networks = private_networks("10.20.0.0/16, fd12:3456::/32")
    assert url_problem("https://10.20.3.4/hook", False, networks) is None
    assert url_problem("https://[fd12:3456::9]/hook", False, networks) is None
    assert "private or reserved" in url_problem("https://10.21.0.1/hook", False, networks)
    assert "this machine" in url_problem("https://127.0.0.1/hook", False, networks)


def test_a_name_resolving_inside_this_machine_is_not_sent_to_at_delivery(app, monkeypatch):
    """Checked at each delivery on what the name resolves to now (localhost resolves here, for real)."""
    from jobs.webhook_deliveries import receiver_refused

    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK_HTTP", False)
    with app.app_context():
        refused = receiver_refused("https://localhost:8443/hook")
        assert refused.startswith("not sent: localhost resolves to ") and "this machine" in refused
        assert receiver_refused("https://81.2.69.142/hook") is None
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK_HTTP", True)
        assert receiver_refused("https://localhost:8443/hook") is None


def test_production_allows_no_plain_http():
    from config.settings import BaseConfig, ProductionConfig, TestingConfig

    assert ProductionConfig.WEBHOOK_ALLOW_LOOPBACK_HTTP is False and BaseConfig.WEBHOOK_ALLOW_LOOPBACK_HTTP is False
    assert TestingConfig.WEBHOOK_ALLOW_LOOPBACK_HTTP is True


def test_a_signature_verifies_only_with_the_secret_the_time_and_the_exact_body():
    body = signing.canonical_body({"type": "placement.started", "id": "evt_1", "data": {"placement_id": 41}})
    assert body == b'{"data":{"placement_id":41},"id":"evt_1","type":"placement.started"}'
    header = signing.signature_header("whsec_right", 1_700_000_000, body)
    assert signing.verify("whsec_right", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_wrong", header, body, now=1_700_000_100)
    assert not signing.verify("whsec_right", header, body.replace(b"41", b"42"), now=1_700_000_100)
    assert not signing.verify("whsec_right", header, body, now=1_700_000_000 + 301)  # a replay, later
    assert not signing.verify("whsec_right", header.replace("t=1700000000", "t=1700000090"), body,
                              now=1_700_000_100)  # a fresh time on an old signature
    assert not signing.verify("whsec_right", None, body, now=1_700_000_000)
    assert not signing.verify("whsec_right", "v1=abc", body, now=1_700_000_000)


def test_the_trustee_subscribes_in_the_admin_sees_the_secret_once_and_the_trail_never_does(app, world, client):
    sign_in(client, world.users["trust.designated_trustee"])
    response = post_form(client, "/admin/admin_webhook_subscription/new/",
                         {"name": "Trust MIS", "url": "https://mis.example.org/aphub",
                          "chosen_events": ["placement.started", "provider.suspended"], "is_active": "y"})
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    (secret,) = set(SECRET.findall(shown))
    with system_scope("test: the subscription"):
        subscription = db.session.scalars(select(WebhookSubscription)).one()
        assert subscription.secret == secret and subscription.created_by_id == world.users["trust.designated_trustee"].id
        assert subscription.event_types == ["placement.started", "provider.suspended"]
        trail = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "WebhookSubscription")).all()
        assert [e.action for e in trail] == ["create"]
        assert secret not in str(trail[0].after) and "secret" not in trail[0].after
    assert SECRET.findall(client.get("/admin/admin_webhook_subscription/").get_data(as_text=True)) == []
    details = client.get(f"/admin/admin_webhook_subscription/details/?id={subscription.id}").get_data(as_text=True)
    assert "https://mis.example.org/aphub" in details and secret not in details


def test_the_admin_refuses_plain_http_naming_the_field_and_saves_nothing(app, world, client):
    sign_in(client, world.users["trust.designated_trustee"])
    response = post_form(client, "/admin/admin_webhook_subscription/new/",
                         {"name": "Trust MIS", "url": "http://mis.example.org/aphub", "chosen_events": [],
                          "is_active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "must start https://" in page and "Choose at least one kind" in page
    with system_scope("test"):
        assert db.session.scalars(select(WebhookSubscription)).all() == []


@pytest.mark.parametrize("asker", ["a.headteacher", "a.ap_leader", "trust.trust_safeguarding_lead",
                                   "trust.trust_send_lead"])
def test_nobody_but_the_designated_trustee_sees_the_subscriptions(app, world, receiver, asker):
    from app.services import api_tokens

    subscribe(world, receiver, "placement.started", name="Trust MIS")
    client = fresh_client(app)
    sign_in(client, world.users[asker])
    for page in ("/admin/admin_webhook_subscription/", "/admin/admin_webhook_delivery/"):
        assert client.get(page).status_code == 403
    headers = {"Authorization": f"Bearer {api_tokens.issue(world.users[asker], 'test')}"}
    for url in ("/api/v1/trust/webhook-subscriptions", "/api/v1/trust/webhook-deliveries", "/api/v1/trust/outbox"):
        response = fresh_client(app).get(url, headers=headers)
        assert response.status_code == 403 and b"Trust MIS" not in response.data


def test_a_suspended_provider_is_a_trust_event_of_no_school(app, world, receiver):
    from app.services.providers import suspend_provider

    with school_time(TODAY):
        subscribe(world, receiver, "provider.suspended")
        provider_id = vetted_provider(world)
        make_ready_placement(world, provider_id=provider_id)
        with school_scope(world.a.id):
            provider = db.session.get(Provider, provider_id)
            result = suspend_provider(provider, world.users["a.ap_leader"], "Unsafe premises", world.a)
            assert result.ok
        run_worker()
    (event,) = events()
    assert event.school_id is None
    (request,) = receiver.requests
    assert request.verified and request.answered == 200
    payload = request.payload
    assert payload["school"] is None and payload["data"]["provider_id"] == provider_id
    assert b"Unsafe premises" not in request.body  # the reason is free text: not sent


def test_a_pupil_not_located_is_sent_with_ids_only(app, world, receiver):
    from app.models import WelfareCheck
    from app.services import welfare_records

    with school_time(TODAY):
        subscribe(world, receiver, "welfare_check.not_located")
        ready = make_ready_placement(world)
        dsl = world.users["a.dsl"]
        with school_scope(world.a.id):
            raised = welfare_records.raise_by_hand(ready.pupil_id, "Worrying call", dsl)
            check = db.session.get(WelfareCheck, raised.record.id)
            recorded = welfare_records.record_check(check, welfare_records.WelfareRecordInput(
                "home_visit", "not_located", "Nobody home; provider and carers called",
                clock.now() - timedelta(minutes=5)), dsl)
            assert recorded.ok
            check_id = check.id
        run_worker()
    (request,) = receiver.requests
    assert request.verified and request.payload["type"] == "welfare_check.not_located"
    assert request.payload["data"]["welfare_check_id"] == check_id
    assert b"Robin" not in request.body and b"Nobody home" not in request.body and b"Worrying" not in request.body
    assert [d.status.value for d in deliveries()] == ["delivered"]
