"""After commit: the outbox's delivery jobs are put on a queue, and its per-transaction bookkeeping forgotten.

Bound once on the session class by `install_outbox_enqueue` (from the app factory).
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.after_commit import install_after_commit
from app.models import Delivery, Notification, NotificationStatus

log = logging.getLogger(__name__)

# --- the transaction's bookkeeping: keys queued in it, keys known not to exist ---------------------------------

_PENDING_KEYS = "aphub_outbox_pending_keys"


def _pending_keys(session: Session) -> dict[str, Notification]:
    return session.info.setdefault(_PENDING_KEYS, {})


_KNOWN_ABSENT = "aphub_outbox_known_absent"


# --- after commit: put delivery on a queue -------------------------------------------------------------------

_TO_ENQUEUE = "aphub_outbox_to_enqueue"


def _enqueue_after_commit(session: Session, notification: Notification) -> None:
    from jobs.outbox import DeliveryRef  # deferred: an import cycle at start-up (hoisting it fails)

    session.info.setdefault(_TO_ENQUEUE, []).append(DeliveryRef.of(notification))


def _note_new_immediate(session: Session, flush_context) -> None:
    """New immediate notifications have their ids once flushed: note them for enqueueing after the commit."""
    for obj in session.new:
        if isinstance(obj, Notification) and obj.delivery is Delivery.IMMEDIATE \
                and obj.status is NotificationStatus.PENDING:
            _enqueue_after_commit(session, obj)


def _enqueue_committed(session: Session) -> None:
    refs = session.info.pop(_TO_ENQUEUE, None)
    if not refs:
        return
    from jobs.outbox import enqueue_new_deliveries  # deferred: an import cycle at start-up (hoisting it fails)

    try:
        # One Redis round trip for the lot: a sweep can queue thousands of emails in one commit.
        enqueue_new_deliveries(refs)
    except RedisError as exc:
        log.warning("Redis unreachable (%s): %s committed notification(s) left for dispatch_outbox", exc, len(refs))
    except Exception:  # the commit has happened: nothing may undo it now; dispatch_outbox finds the rows
        log.warning("%s notification(s) committed but not enqueued; dispatch_outbox will deliver them", len(refs),
                    exc_info=True)


def _forget_pending_keys(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed rows are found by the query; rolled-back ones are gone
        session.info.pop(_PENDING_KEYS, None)
        session.info.pop(_KNOWN_ABSENT, None)  # another transaction may queue them from now on


def install_outbox_enqueue(session_target) -> None:
    """Bound once, from the app factory, on the session class."""
    if not event.contains(session_target, "after_transaction_end", _forget_pending_keys):
        event.listen(session_target, "after_transaction_end", _forget_pending_keys)
    install_after_commit(session_target, _note_new_immediate, _enqueue_committed, _TO_ENQUEUE)
