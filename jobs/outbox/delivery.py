"""Delivering one notification: claim, send, record."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import or_, update
from sqlalchemy.exc import DBAPIError

from app import clock
from app.extensions import db
from app.mail import MailSettings, build_message, send
from app.models import Delivery, Notification, NotificationStatus
from jobs.context import in_school, in_system
from jobs.outbox.records import _Attempt, _record_failure, _record_sent, _release_claim, _with_database_retries

log = logging.getLogger(__name__)


def deliver_notification(notification_id: int, school_id: int | None) -> str:
    """Send one notification if it is still due. Safe to run any number of times, concurrently too."""
    scope = (in_school(school_id) if school_id is not None
             else in_system("outbox: deliver a notification that belongs to no school"))
    with scope:
        return _deliver(notification_id)


def _deliver(notification_id: int, mailer=None) -> str:
    """Claim, send, record. `mailer`: an open `app.mail.MailConnection` shared by a batch (deliver_batch);
    without one the message goes over a connection of its own."""

    claimed_at = clock.now()
    claim = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id,
               Notification.status == NotificationStatus.PENDING,
               Notification.delivery == Delivery.IMMEDIATE,
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= claimed_at))
        .values(status=NotificationStatus.SENDING, claimed_at=claimed_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # the claim is visible to every other worker before we talk to SMTP
    if claim.rowcount != 1:
        return "not due, taken or done"
    try:
        notification = db.session.get(Notification, notification_id)
        attempt = _Attempt.of(notification)
    except DBAPIError as exc:  # the database went away just after the claim: nothing was sent
        return _release_claim(notification_id, exc)
    try:
        settings = mailer.settings if mailer is not None else MailSettings.from_config(current_app.config)
        message = build_message(notification, settings)
    except Exception as exc:  # ours, not SMTP's: recorded on the row like any failure
        return _record_failure(attempt, exc)
    # Hold no connection or transaction while SMTP talks (seconds, or a minute on a slow server): a database
    # restart meanwhile would break it, and "sent" could not be recorded on it (issue 11, finding 1).
    db.session.close()
    try:
        if mailer is not None:
            mailer.send(message)
        else:
            send(message, settings)
    except Exception as exc:  # any failure, SMTP or ours: recorded on the row, retried, then shown as failed
        return _record_failure(attempt, exc)
    _with_database_retries(lambda: _record_sent(notification_id, attempt),
                           f"record notification {notification_id} sent")
    return "sent"
