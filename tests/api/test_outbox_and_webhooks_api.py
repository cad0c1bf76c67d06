"""The trustee's API resources (issue 17 items 1 and 5): the outbox read-only (recipients and status, never a
subject or body), and webhook subscriptions (the secret in the answer that made it, only) and deliveries."""
from __future__ import annotations

from openapi_spec_validator import validate

from app.extensions import db
from app.models import Audience, WebhookSubscription
from app.services import api_tokens
from app.services.notifications import queue_notification
from tenants import school_scope, system_scope
from tests.helpers import fresh_client


def _headers(user) -> dict:
    return {"Authorization": f"Bearer {api_tokens.issue(user, 'test')}"}


def _queue(world, key: str, school) -> int:
    with school_scope(school.id):
        n = queue_notification(dedupe_key=key, audience=Audience.LOCAL_AUTHORITY, recipient_email="ap@la.example.org",
                               recipient_name="LA AP team", template="notice", about_type="pupil", about_id=7,
                               about_label="Robin Example",
                               context={"subject": "New placement: Robin Example", "paragraphs": ["Robin Example"],
                                        "school_name": school.name})
        db.session.commit()
        return n.id


def test_the_trustee_reads_every_schools_outbox_without_subjects_or_bodies(app, world):
    ids = [_queue(world, "n1", world.a), _queue(world, "n2", world.b), _queue(world, "n3", world.a)]
    headers = _headers(world.users["trust.designated_trustee"])
    page = fresh_client(app).get("/api/v1/trust/outbox?limit=2", headers=headers)
    assert page.status_code == 200
    body = page.get_json()
    assert [n["id"] for n in body["items"]] == ids[:2] and "cursor=" in body["next"]
    item = body["items"][0]
    assert item["recipient_email"] == "ap@la.example.org" and item["status"] == "pending"
    assert item["template"] == "notice" and item["school_id"] == world.a.id
    rest = fresh_client(app).get(f"{body['next']}&school_id={world.a.id}", headers=headers).get_json()
    assert [n["id"] for n in rest["items"]] == [ids[2]]
    one = fresh_client(app).get(f"/api/v1/trust/outbox/{ids[1]}", headers=headers)
    for response in (page, one):
        assert b"Robin" not in response.data and b"subject" not in response.data and b"body" not in response.data
    bad = fresh_client(app).get("/api/v1/trust/outbox?status=lost", headers=headers)
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]["fields"]
    assert fresh_client(app).get("/api/v1/trust/outbox/999999", headers=headers).status_code == 404


def test_subscriptions_through_the_api_secret_once_field_named_400s(app, world):
    headers = _headers(world.users["trust.designated_trustee"])
    made = fresh_client(app).post("/api/v1/trust/webhook-subscriptions", headers=headers, json={
        "name": "Trust MIS", "url": "https://mis.example.org/aphub", "event_types": ["placement.started"]})
    assert made.status_code == 201
    created = made.get_json()
    assert created["secret"].startswith("whsec_") and created["is_active"] is True
    sub_id = created["id"]
    listed = fresh_client(app).get("/api/v1/trust/webhook-subscriptions", headers=headers)
    one = fresh_client(app).get(f"/api/v1/trust/webhook-subscriptions/{sub_id}", headers=headers)
    for response in (listed, one):
        assert response.status_code == 200 and created["secret"].encode() not in response.data
    refused = fresh_client(app).patch(f"/api/v1/trust/webhook-subscriptions/{sub_id}", headers=headers,
                                      json={"url": "http://mis.example.org/", "event_types": []})
    assert refused.status_code == 400
    assert set(refused.get_json()["error"]["fields"]) == {"url", "event_types"}
    unknown = fresh_client(app).post("/api/v1/trust/webhook-subscriptions", headers=headers, json={
        "name": "X", "url": "https://x.example.org/", "event_types": ["pupil.born"], "secret": "mine"})
    assert unknown.status_code == 400 and {"event_types", "secret"} <= set(unknown.get_json()["error"]["fields"])
    changed = fresh_client(app).patch(f"/api/v1/trust/webhook-subscriptions/{sub_id}", headers=headers,
                                      json={"is_active": False})
    assert changed.status_code == 200 and changed.get_json()["is_active"] is False
    with system_scope("test"):
        subscription = db.session.get(WebhookSubscription, sub_id)
        assert subscription.url == "https://mis.example.org/aphub" and subscription.secret == created["secret"]
    deliveries = fresh_client(app).get("/api/v1/trust/webhook-deliveries?status=failed", headers=headers)
    assert deliveries.status_code == 200 and deliveries.get_json() == {"items": [], "next": None}
    assert fresh_client(app).get("/api/v1/trust/webhook-subscriptions/999", headers=headers).status_code == 404


def test_the_openapi_document_describes_the_new_resources(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    for path in ("/api/v1/me/tasks", "/api/v1/me/tasks/{task_id}", "/api/v1/me/tasks/{task_id}/done",
                 "/api/v1/trust/outbox", "/api/v1/trust/outbox/{notification_id}",
                 "/api/v1/trust/webhook-subscriptions", "/api/v1/trust/webhook-subscriptions/{subscription_id}",
                 "/api/v1/trust/webhook-deliveries", "/api/v1/trust/webhook-deliveries/{delivery_id}",
                 "/api/v1/trust/webhook-deliveries/{delivery_id}/retry"):
        assert path in document["paths"], path
    assert "secret" not in document["components"]["schemas"]["WebhookSubscription"]["properties"]
    assert "body_text" not in document["components"]["schemas"]["OutboxNotification"]["properties"]
