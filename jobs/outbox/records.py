"""Recording an attempt's outcome on its outbox row, on a fresh connection, retried while the database is
back in a few seconds. Each record is one conditional UPDATE, harmless to repeat."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import case, func, update
from sqlalchemy.exc import DBAPIError, OperationalError

from app import clock
from app.extensions import db
from app.mail import PermanentMailError, describe_error
from app.models import Notification, NotificationStatus
from app.services.notifications import REMOVED_AFTER_SENDING, REMOVED_TEXT
from jobs.outbox.queueing import DeliveryRef, enqueue_delivery, retry_delay

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Attempt:
    """What recording an attempt's outcome needs, read before the session is closed for the SMTP exchange."""

    id: int
    school_id: int | None
    urgent: bool
    attempts: int
    # The values to take out of the stored message once sent (REMOVED_AFTER_SENDING), and the context without them.
    removed_once_sent: tuple[str, ...] = ()
    context_once_sent: dict | None = None

    @classmethod
    def of(cls, n: Notification) -> _Attempt:
        context = n.context or {}
        keys = [key for key in context.get(REMOVED_AFTER_SENDING) or [] if context.get(key)]
        if not keys:
            return cls(n.id, n.school_id, bool(n.urgent), n.attempts or 0)
        return cls(n.id, n.school_id, bool(n.urgent), n.attempts or 0,
                   tuple(str(context[key]) for key in keys), {**context, **dict.fromkeys(keys, REMOVED_TEXT)})


# Seconds to wait before each further try at recording an outcome: a PostgreSQL restart takes a few seconds.
# Bounded, because a job cannot wait for ever; should all fail, the row stays "sending", is put back after
# OUTBOX_CLAIM_TIMEOUT_SECONDS and marked as possibly delivered twice.
RECORD_RETRY_SECONDS = (0.2, 0.5, 1, 2, 4, 8)


def _with_database_retries(work, what: str):
    """Run `work` (one short transaction that commits), again on a fresh connection if the database dropped
    the connection or could not be reached. Only errors that mean "not done" are retried: a statement that
    failed on a dropped connection was rolled back with it, and each `work` here is a conditional UPDATE,
    harmless to repeat."""
    for delay in (*RECORD_RETRY_SECONDS, None):
        try:
            return work()
        except (OperationalError, DBAPIError) as exc:
            db.session.rollback()
            db.session.close()
            if delay is None or not (isinstance(exc, OperationalError) or exc.connection_invalidated):
                raise
            log.warning("%s: the database is unreachable (%s); trying again in %ss", what,
                        str(exc.orig or exc).strip().splitlines()[0][:200], delay)
            time.sleep(delay)


def _release_claim(notification_id: int, exc: Exception) -> str:
    """Put a claimed row back, due now and with no attempt counted: it never reached SMTP. Left 'sending', it
    would wait for the claim timeout and then be marked as possibly delivered twice, which it was not."""
    log.warning("notification %s: the database failed before sending (%s); put back", notification_id,
                str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200])

    def release():
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.status == NotificationStatus.SENDING)
            .values(status=NotificationStatus.PENDING, claimed_at=None, next_attempt_at=clock.now())
            .execution_options(synchronize_session=False))
        db.session.commit()

    db.session.rollback()
    _with_database_retries(release, f"put notification {notification_id} back")
    return "put back: the database failed before sending"


def _record_sent(notification_id: int, attempt: _Attempt | None = None) -> None:
    # A row put back after a stopped worker keeps its note: it may have been delivered twice.
    values = dict(status=NotificationStatus.SENT, sent_at=clock.now(), attempts=Notification.attempts + 1,
                  claimed_at=None, next_attempt_at=None,
                  last_error=case((Notification.reclaimed_at.is_not(None), Notification.last_error), else_=None))
    if attempt is not None and attempt.removed_once_sent:
        text, html = Notification.body_text, Notification.body_html
        for secret in attempt.removed_once_sent:
            text, html = func.replace(text, secret, REMOVED_TEXT), func.replace(html, secret, REMOVED_TEXT)
        values.update(body_text=text, body_html=html, context=attempt.context_once_sent)
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status != NotificationStatus.SENT)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(attempt: _Attempt, exc: Exception) -> str:

    attempts = attempt.attempts + 1
    at = clock.now()
    give_up = isinstance(exc, PermanentMailError) or attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]
    next_at = None if give_up else at + retry_delay(attempts)
    values = dict(attempts=attempts, last_error=f"{at:%Y-%m-%d %H:%M} UTC, attempt {attempts}: "
                                                f"{describe_error(exc)}"[:2000],
                  claimed_at=None, next_attempt_at=next_at,
                  status=NotificationStatus.FAILED if give_up else NotificationStatus.PENDING)
    log.warning("notification %s: attempt %s failed (%s)%s", attempt.id, attempts, describe_error(exc),
                "; giving up" if give_up else f"; next try at {next_at:%H:%M:%S} UTC")
    ref = DeliveryRef(attempt.id, attempt.school_id, attempt.urgent, attempts, next_at)

    def record():
        db.session.execute(
            update(Notification)
            .where(Notification.id == attempt.id, Notification.status == NotificationStatus.SENDING)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    _with_database_retries(record, f"record the failure of notification {attempt.id}")
    if give_up:
        return "failed"
    try:
        enqueue_delivery(ref, at=next_at)
    except RedisError:
        log.warning("could not schedule the retry of notification %s; dispatch_outbox will", attempt.id)
    return "will retry"
