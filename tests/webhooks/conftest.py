"""Fixtures for the webhook tests: a receiving system on loopback, and a subscription to it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import WebhookDelivery, WebhookEvent
from tenants import system_scope, trust_scope
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def subscribe(world, receiver: Receiver, *event_types: str, name: str = "Trust MIS") -> int:
    """Subscribe the receiver, as the designated trustee does; the receiver keeps the secret shown once."""
    from app.services.webhook_subscriptions import SubscriptionInput, create_subscription

    trustee = world.users["trust.designated_trustee"]
    with trust_scope(trustee.id, "test: a webhook subscription"):
        result = create_subscription(SubscriptionInput(name, receiver.url, list(event_types)), by=trustee)
        assert result.ok, result.errors
        receiver.secret = result.record.secret
        return result.record.subscription.id


def deliveries() -> list[WebhookDelivery]:
    with system_scope("test: read the webhook deliveries"):
        db.session.expire_all()
        rows = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        for row in rows:
            row.event  # noqa: B018 (loaded while the scope allows it)
        return rows


def events() -> list[WebhookEvent]:
    with system_scope("test: read the webhook events"):
        db.session.expire_all()
        return list(db.session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))
