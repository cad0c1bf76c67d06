"""The periodic dispatcher: put back abandoned sends, enqueue what is due."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app import clock
from app.audit import record_event
from app.extensions import db
from app.models import Delivery, Notification, NotificationStatus
from jobs.context import in_system
from jobs.outbox.queueing import DeliveryRef, _refs_without_live_job, enqueue_new_deliveries

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    enqueued: int = 0
    already_queued: int = 0
    reclaimed: int = 0
    gave_up: int = 0
    ids: list[int] = field(default_factory=list)


def dispatch_outbox(batch_size: int = 500) -> DispatchReport:
    """Every minute: put back rows whose worker died mid-send, then enqueue every due immediate notification.
    Reads only pending and sending rows (the ix_notifications_due index), never the sent history."""
    with in_system("outbox dispatch: due notifications of every school"):
        report = DispatchReport()
        at = clock.now()
        report.gave_up, report.reclaimed = _reclaim_abandoned(at)
        last_id = 0
        while True:
            rows = db.session.execute(
                select(Notification.id, Notification.school_id, Notification.urgent, Notification.attempts,
                       Notification.next_attempt_at)
                .where(Notification.status == NotificationStatus.PENDING,
                       Notification.delivery == Delivery.IMMEDIATE,
                       or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= at),
                       Notification.id > last_id)
                .order_by(Notification.id).limit(batch_size)
            ).all()
            refs = [DeliveryRef(row.id, row.school_id, bool(row.urgent), row.attempts or 0, row.next_attempt_at)
                    for row in rows]
            missing = _refs_without_live_job(refs)
            if missing:
                enqueue_new_deliveries(missing)
            report.already_queued += len(refs) - len(missing)
            report.enqueued += len(missing)
            report.ids.extend(ref.id for ref in missing)
            if len(rows) < batch_size:
                break
            last_id = rows[-1].id
        return report


def _reclaim_abandoned(at: datetime) -> tuple[int, int]:
    """A row 'sending' for longer than OUTBOX_CLAIM_TIMEOUT_SECONDS lost its worker. Put it back as due now
    (counted as an attempt: the message may have reached the server), or fail it if that was the last try.
    Either way it is marked (`reclaimed_at`, and a note that stays once sent): if the server had accepted it
    before the worker stopped, the resend is a second copy. Each reclaim is in the audit trail."""

    cutoff = at - timedelta(seconds=current_app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    note = (f"{at:%Y-%m-%d %H:%M} UTC: the worker stopped while sending, so this may have been delivered "
            f"twice; if the server had already accepted the message, the resend carries the same Message-ID")
    abandoned = (Notification.status == NotificationStatus.SENDING, Notification.claimed_at < cutoff)
    # RETURNING: each row is changed by one conditional UPDATE, so two dispatchers never both reclaim it.
    gave_up = db.session.execute(
        update(Notification).where(*abandoned, Notification.attempts + 1 >= max_attempts)
        .values(status=NotificationStatus.FAILED, attempts=Notification.attempts + 1, claimed_at=None,
                next_attempt_at=None, last_error=note, reclaimed_at=at)
        .returning(Notification.id, Notification.school_id, Notification.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    reclaimed = db.session.execute(
        update(Notification).where(*abandoned)
        .values(status=NotificationStatus.PENDING, attempts=Notification.attempts + 1, claimed_at=None,
                next_attempt_at=at, last_error=note, reclaimed_at=at)
        .returning(Notification.id, Notification.school_id, Notification.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    for rows, outcome in ((gave_up, "failed: that was the last attempt"), (reclaimed, "put back to send again")):
        for row in rows:
            record_event(db.session, "notification_reclaimed", "Notification", row.id, school_id=row.school_id,
                         detail=f"the worker stopped while sending (attempt {row.attempts}); {outcome}; "
                                f"it may have been delivered twice")
    db.session.commit()
    if gave_up or reclaimed:
        log.warning("outbox: %s abandoned notification(s) put back, %s failed after the last attempt",
                    len(reclaimed), len(gave_up))
    return len(gave_up), len(reclaimed)
