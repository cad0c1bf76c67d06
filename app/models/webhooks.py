"""Webhooks: events for the trust's other systems (issue 17 item 5).

- `WebhookSubscription`: trust-level (the trust's systems, not a school's), kept by the designated trustee. Its
  secret signs each delivery; it is shown once, when made, and never copied into the audit trail.
- `WebhookEvent`: what happened, written in the same transaction as the change, with the exact JSON a receiver
  gets. It belongs to the school it happened in (row-level security), or to no school (a provider suspended in
  the shared register): such rows are written in a system scope.
- `WebhookDelivery`: one per subscription and event (unique), delivered by a job with the outbox's claim
  protocol. It is the trust's record of sending, not a school's: it holds ids, a status and the receiver's reply
  code, no personal data, and is read only by the trustee, so it is not school-owned and has no row-level
  security; what it is about stays behind the event's.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class WebhookEventType(enum.StrEnum):
    PLACEMENT_STARTED = "placement.started"
    PLACEMENT_ENDED = "placement.ended"
    WELFARE_CHECK_NOT_LOCATED = "welfare_check.not_located"
    PROVIDER_SUSPENDED = "provider.suspended"
    LA_NOTICE_QUEUED = "la_notice.queued"

    @property
    def label(self) -> str:
        return {
            "placement.started": "Placement started",
            "placement.ended": "Placement ended",
            "welfare_check.not_located": "Welfare check: pupil not located",
            "provider.suspended": "Provider suspended",
            "la_notice.queued": "Notice to the local authority or Virtual School queued",
        }[self.value]


class WebhookDeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent, or for its next retry
    SENDING = "sending"  # claimed by a worker; put back if the worker dies
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt (or the subscription was switched off)


class WebhookSubscription(TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "webhook_subscriptions"
    __audit_exclude__ = ("secret",)  # the trail is read by people; the secret is shown once only

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[list] = mapped_column(JSON, default=list)  # WebhookEventType values
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def wants(self, event_type: WebhookEventType) -> bool:
        return self.is_active and WebhookEventType(event_type).value in (self.event_types or [])

    def __str__(self) -> str:
        return self.name


class WebhookEvent(TenantScopedMixin, db.Model):
    __tablename__ = "webhook_events"
    __tenant_optional__ = True  # a provider suspended in the shared register belongs to no school

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)  # "evt_...": what receivers dedupe by
    event_type: Mapped[WebhookEventType] = mapped_column(StoredEnum(WebhookEventType, 50))
    # Names the happening, e.g. "placement.started:41": emitted twice, recorded once.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[dict] = mapped_column(JSON)  # the body every delivery sends, byte for byte

    def __str__(self) -> str:
        return f"{self.event_type.value} {self.event_id}"


class WebhookDelivery(TimestampMixin, db.Model):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    status: Mapped[WebhookDeliveryStatus] = mapped_column(
        StoredEnum(WebhookDeliveryStatus, 20), default=WebhookDeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_response_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A worker stopped while sending and the row was put back: the receiver may have had it twice (it dedupes
    # by the event id). Never cleared.
    reclaimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[WebhookSubscription] = relationship()
    event: Mapped[WebhookEvent] = relationship()
