"""The outbox: a message to send, written in the same transaction as the change that calls for it."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.mixins import TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting to be sent (or for its next retry)
    SENDING = "sending"  # claimed by a worker; reclaimed if the worker dies
    SENT = "sent"  # the SMTP server accepted it
    IN_DIGEST = "in_digest"  # folded into a daily digest, which is itself a notification
    FAILED = "failed"  # gave up after the last retry; the trustee can retry it from the admin


class Audience(enum.StrEnum):
    STAFF = "staff"
    TRUST = "trust"
    LOCAL_AUTHORITY = "local_authority"
    VIRTUAL_SCHOOL = "virtual_school"
    SOCIAL_WORKER = "social_worker"
    PARENT = "parent"
    PROVIDER = "provider"  # an AP provider's contact (e.g. their attendance link, issue 14 item 6)

    @property
    def is_external(self) -> bool:
        """Sent outside the trust: recorded so a school can show it informed the LA, VSH or parents."""
        return self not in (Audience.STAFF, Audience.TRUST)


class Delivery(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class Notification(TenantScopedMixin, TimestampMixin, db.Model):
    __tablename__ = "notifications"
    __tenant_optional__ = True  # trust-level messages carry no school
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_reclaimed_at", "reclaimed_at"),  # queue health counts the possible duplicates
        # A record's notices (a placement's 7.12 notices, a pupil's timeline) are found by what they are about.
        Index("ix_notifications_about", "about_type", "about_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event and recipient, e.g. "placement-commissioned:41:la:7": the same key is never queued twice.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    audience: Mapped[Audience] = mapped_column(StoredEnum(Audience, 30))
    recipient_email: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    template: Mapped[str] = mapped_column(String(100))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # Rendered when queued, so the record shows exactly what was sent.
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    delivery: Mapped[Delivery] = mapped_column(StoredEnum(Delivery, 20), default=Delivery.IMMEDIATE)
    about_type: Mapped[str | None] = mapped_column(String(50))
    about_id: Mapped[int | None] = mapped_column()
    about_label: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[NotificationStatus] = mapped_column(
        StoredEnum(NotificationStatus, 20), default=NotificationStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When a worker stopped while sending this and it was put back to send again: the server may already
    # have had it, so it may have been delivered twice (with the same Message-ID). Never cleared.
    reclaimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str] = mapped_column(String(200))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))
