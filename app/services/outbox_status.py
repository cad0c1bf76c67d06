"""Reading the outbox (a school's external notices, queue health counts) and retrying failed rows by hand."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import Audience, Delivery, Notification, NotificationStatus
from app.services.outbox_enqueue import _enqueue_after_commit

log = logging.getLogger(__name__)
EXTERNAL_AUDIENCES = tuple(a for a in Audience if a.is_external)


# --- reading the outbox --------------------------------------------------------------------------------------


@dataclass
class NoticesPage:
    items: list[Notification]
    page: int
    per_page: int
    has_next: bool


def external_notices(page: int = 1, per_page: int = 50) -> NoticesPage:
    """What the current school sent outside the trust (LA, VSH, social workers, parents), newest first: how a
    school shows it informed the LA. Runs in the school's scope, so only its own rows are seen."""
    page = max(page, 1)
    rows = list(db.session.scalars(
        select(Notification).where(Notification.audience.in_(EXTERNAL_AUDIENCES))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
    ))
    return NoticesPage(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


@dataclass
class OutboxCounts:
    by_status: dict[str, int]
    oldest_pending_at: datetime | None  # the oldest immediate notification still waiting
    # Sent after a worker stopped mid-send and the row was put back: the server may have had it twice.
    may_be_duplicates: int = 0

    @property
    def oldest_pending_age_seconds(self) -> int | None:
        return None if self.oldest_pending_at is None else int((now() - self.oldest_pending_at).total_seconds())


# The states that need watching. Sent rows are history: counting them would grow with every year.
_WATCHED = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED)


def outbox_counts() -> OutboxCounts:
    """Counts of waiting, sending and failed notifications for queue health (needs a trust or system scope:
    it spans schools). Reads only those rows, through the status index."""
    by_status = {s.value: 0 for s in _WATCHED}
    for status, count in db.session.execute(
        select(Notification.status, func.count()).where(Notification.status.in_(_WATCHED))
        .group_by(Notification.status)
    ):
        by_status[NotificationStatus(status).value] = count
    oldest = db.session.scalar(
        select(func.min(Notification.created_at)).where(Notification.status == NotificationStatus.PENDING,
                                                        Notification.delivery == Delivery.IMMEDIATE)
    )
    may_be_duplicates = db.session.scalar(
        select(func.count()).where(Notification.reclaimed_at.is_not(None),
                                   Notification.status == NotificationStatus.SENT))
    return OutboxCounts(by_status=by_status, oldest_pending_at=oldest, may_be_duplicates=may_be_duplicates)


# --- retrying by hand ----------------------------------------------------------------------------------------


def retry_failed_notifications(ids: Iterable[int] | None = None, actor_id: int | None = None) -> list[int]:
    """Failed → pending, due now, attempts kept (so the history shows every try); each retry is audited.
    With no ids, every failed notification. Commits. Needs a scope that sees the rows (trust admin, CLI)."""

    query = select(Notification).where(Notification.status == NotificationStatus.FAILED)
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        query = query.where(Notification.id.in_(ids))
    retried = []
    at = now()
    for notification in db.session.scalars(query.order_by(Notification.id)):
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = at
        notification.claimed_at = None
        record_event(db.session, "notification_retry", "Notification", notification.id,
                     school_id=notification.school_id, actor_id=actor_id,
                     detail=f"retried after {notification.attempts} attempts; last error: "
                            f"{notification.last_error or 'none'}"[:500])
        retried.append(notification)
    db.session.flush()
    for notification in retried:
        _enqueue_after_commit(db.session(), notification)
    db.session.commit()
    return [n.id for n in retried]
