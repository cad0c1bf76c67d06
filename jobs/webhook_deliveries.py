"""Delivering webhook events: the outbox's claim protocol (jobs/outbox.py), over HTTPS instead of SMTP.

- `deliver_webhook(id)` claims one delivery with a single conditional UPDATE and commits the claim before the
  POST, so a second job for the same row finds nothing to claim; it records the outcome after. A 2xx answer is
  "delivered"; anything else (a refusal, a timeout, a redirect) is retried with exponential backoff, up to
  WEBHOOK_MAX_ATTEMPTS, then "failed" and shown to the trustee, who may retry it.
- `dispatch_webhooks()` (every minute) puts back deliveries whose worker died mid-send (marked: the receiver may
  have had it; it dedupes by the event id) and enqueues every due one.
- Exactly once per event id per subscription from our side: one delivery row each (a unique key), and one claim
  at a time on it. The one window no sender can close, a worker dying between the receiver's 2xx and our commit,
  is why the receiver dedupes by the event id.

Deliveries are trust-level rows; the job reads the event (a school's row) in a system scope, named.
"""
from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event as sa_event
from sqlalchemy import or_, select, update

from app import clock
from app.after_commit import install_after_commit
from app.extensions import db
from app.models import WebhookDelivery, WebhookDeliveryStatus
from app.services import webhook_signing as signing
from app.services.webhook_subscriptions import address_refused, private_networks
from app.services.webhooks import forget_pending
from jobs.connection import WEBHOOKS, redis_connection
from jobs.context import in_system
from jobs.enqueue import enqueue, safe_job_id

log = logging.getLogger(__name__)

SYSTEM_REASON = "webhooks: deliver an event to the trust's subscriber"
MAX_BACKOFF = timedelta(hours=6)


def retry_delay(failed_attempts: int, base_seconds: int) -> timedelta:
    """Exponential: base, 2 x base, 4 x base ... after the 1st, 2nd, 3rd failure, at most six hours."""
    return min(timedelta(seconds=base_seconds * 2 ** (max(failed_attempts, 1) - 1)), MAX_BACKOFF)


# --- enqueueing ----------------------------------------------------------------------------------------------


def job_id(delivery_id: int, attempts: int, next_attempt_at: datetime | None) -> str:
    """One job per attempt: dispatching twice enqueues once."""
    stamp = int(next_attempt_at.timestamp()) if next_attempt_at else 0
    return safe_job_id("deliver-webhook", delivery_id, attempts, stamp)


_STILL_WILL_RUN = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)


def enqueue_delivery(delivery_id: int, attempts: int, next_attempt_at: datetime | None,
                     at: datetime | None = None) -> bool:
    """Enqueue this attempt unless a job for it will still run. A job of that id that will not (it ran without
    claiming, or failed) is replaced: the claim, not the job id, keeps a delivery single. Raises RedisError."""
    jid = job_id(delivery_id, attempts, next_attempt_at)
    if at is not None:
        return enqueue(WEBHOOKS, deliver_webhook, delivery_id, job_id=jid, at=at) is not None
    if enqueue(WEBHOOKS, deliver_webhook, delivery_id, job_id=jid, unique=True) is not None:
        return True
    try:
        existing = Job.fetch(jid, connection=redis_connection())
    except NoSuchJobError:
        existing = None
    if existing is not None:
        if existing.get_status() in _STILL_WILL_RUN:
            return False
        existing.delete()
    return enqueue(WEBHOOKS, deliver_webhook, delivery_id, job_id=jid, unique=True) is not None


# --- delivering one ------------------------------------------------------------------------------------------


def deliver_webhook(delivery_id: int) -> str:
    """Send one delivery if it is still due. Safe to run any number of times, concurrently too."""
    with in_system(SYSTEM_REASON):
        return _deliver(delivery_id)


@dataclass(frozen=True)
class _Request:
    url: str
    body: bytes
    headers: dict
    attempts: int


def _deliver(delivery_id: int) -> str:
    claimed_at = clock.now()
    claim = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
               or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= claimed_at))
        .values(status=WebhookDeliveryStatus.SENDING, claimed_at=claimed_at)
        .execution_options(synchronize_session=False))
    db.session.commit()  # the claim is visible to every other worker before we talk to the receiver
    if claim.rowcount != 1:
        return "not due, taken or done"
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if not delivery.subscription.is_active:
        _record(delivery_id, delivery.attempts, None, "the subscription was switched off before sending",
                give_up=True)
        return "failed"
    body = signing.canonical_body(delivery.event.payload)
    timestamp = int(clock.now().timestamp())
    request = _Request(url=delivery.subscription.url, body=body, attempts=delivery.attempts, headers={
        "Content-Type": "application/json", "User-Agent": "APHub-Webhooks/1",
        signing.EVENT_ID_HEADER: delivery.event.event_id, signing.EVENT_TYPE_HEADER: delivery.event.event_type.value,
        signing.SIGNATURE_HEADER: signing.signature_header(delivery.subscription.secret, timestamp, body)})
    db.session.close()  # no connection held while the receiver takes its time
    refused = receiver_refused(request.url)
    code, error = (None, refused) if refused else _post(request, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    if code is not None and 200 <= code < 300:
        _record(delivery_id, request.attempts, code, None)
        return "delivered"
    give_up = request.attempts + 1 >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    return _record(delivery_id, request.attempts, code, error, give_up=give_up)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address to sign for: recorded as a failure with its code."""

    def redirect_request(self, *args, **kwargs):
        return None


# No proxies from the environment, no redirects: the POST goes to the subscribed address and nowhere else.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def receiver_refused(url: str) -> str | None:
    """Why the subscribed address is not sent to now, or None: each address its name resolves to, checked at
    every delivery (a name may come to resolve inside this machine or the trust's network). A name that does not
    resolve is left to the POST to fail, as a receiver that is down would."""
    parts = urlsplit(url)
    allow_loopback = current_app.config["WEBHOOK_ALLOW_LOOPBACK_HTTP"]
    networks = private_networks(current_app.config["WEBHOOK_PRIVATE_NETWORKS"])
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    for *_rest, sockaddr in found:
        why = address_refused(sockaddr[0], allow_loopback, networks)
        if why:
            return f"not sent: {parts.hostname} resolves to {sockaddr[0]}, {why}"
    return None


def _post(request: _Request, timeout: int) -> tuple[int | None, str | None]:
    """POST the body; (status code, error) with error None on a 2xx. Reads at most 1 kB of any answer."""
    http_request = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with _OPENER.open(http_request, timeout=timeout) as response:
            response.read(1024)
            return response.status, None
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode("utf-8", "replace").strip() if exc.fp is not None else ""
        return exc.code, f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return None, f"{type(exc).__name__}: {reason}"


def _record(delivery_id: int, attempts_before: int, code: int | None, error: str | None,
            give_up: bool = False) -> str:
    """The attempt's outcome, on a row still 'sending' (a conditional UPDATE: harmless to repeat)."""
    at = clock.now()
    attempts = attempts_before + 1
    if error is None:
        values = dict(status=WebhookDeliveryStatus.DELIVERED, delivered_at=at, next_attempt_at=None, last_error=None)
        outcome = "delivered"
    else:
        next_at = None if give_up else at + retry_delay(attempts, current_app.config["WEBHOOK_BACKOFF_SECONDS"])
        values = dict(status=WebhookDeliveryStatus.FAILED if give_up else WebhookDeliveryStatus.PENDING,
                      next_attempt_at=next_at, last_error=f"{at:%Y-%m-%d %H:%M:%S} UTC, attempt {attempts}: {error}"[:2000])
        outcome = "failed" if give_up else "will retry"
        log.warning("webhook delivery %s: attempt %s failed (%s)%s", delivery_id, attempts, error,
                    "; giving up" if give_up else f"; next try at {next_at:%H:%M:%S} UTC")
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == WebhookDeliveryStatus.SENDING)
        .values(attempts=attempts, claimed_at=None, last_response_code=code, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if outcome == "will retry":
        try:
            enqueue_delivery(delivery_id, attempts, values["next_attempt_at"], at=values["next_attempt_at"])
        except RedisError:
            log.warning("could not schedule the retry of webhook delivery %s; dispatch_webhooks will", delivery_id)
    return outcome


# --- the periodic dispatcher ---------------------------------------------------------------------------------


@dataclass
class DispatchReport:
    enqueued: int = 0
    reclaimed: int = 0
    gave_up: int = 0


def dispatch_webhooks(batch_size: int = 500) -> DispatchReport:
    """Every minute: put back deliveries whose worker died mid-send, then enqueue every due one (through the
    ix_webhook_deliveries_due index: never the delivered history)."""
    with in_system("webhooks dispatch: due deliveries"):
        report = DispatchReport()
        at = clock.now()
        report.gave_up, report.reclaimed = _reclaim_abandoned(at)
        last_id = 0
        while True:
            rows = db.session.execute(
                select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at)
                .where(WebhookDelivery.status == WebhookDeliveryStatus.PENDING,
                       or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= at),
                       WebhookDelivery.id > last_id)
                .order_by(WebhookDelivery.id).limit(batch_size)).all()
            for row in rows:
                report.enqueued += enqueue_delivery(row.id, row.attempts or 0, row.next_attempt_at)
            if len(rows) < batch_size:
                break
            last_id = rows[-1].id
        return report


def _reclaim_abandoned(at: datetime) -> tuple[int, int]:
    """A delivery 'sending' for longer than WEBHOOK_CLAIM_TIMEOUT_SECONDS lost its worker: due again now (the
    attempt counted), or failed if that was the last. Marked either way: the receiver may have had it."""
    cutoff = at - timedelta(seconds=current_app.config["WEBHOOK_CLAIM_TIMEOUT_SECONDS"])
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    note = f"{at:%Y-%m-%d %H:%M} UTC: the worker stopped while sending; the receiver may have had it already"
    abandoned = (WebhookDelivery.status == WebhookDeliveryStatus.SENDING, WebhookDelivery.claimed_at < cutoff)
    gave_up = db.session.execute(
        update(WebhookDelivery).where(*abandoned, WebhookDelivery.attempts + 1 >= max_attempts)
        .values(status=WebhookDeliveryStatus.FAILED, attempts=WebhookDelivery.attempts + 1, claimed_at=None,
                next_attempt_at=None, last_error=note, reclaimed_at=at)
        .execution_options(synchronize_session=False)).rowcount
    reclaimed = db.session.execute(
        update(WebhookDelivery).where(*abandoned)
        .values(status=WebhookDeliveryStatus.PENDING, attempts=WebhookDelivery.attempts + 1, claimed_at=None,
                next_attempt_at=at, last_error=note, reclaimed_at=at)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return gave_up, reclaimed


# --- after commit: enqueue the new deliveries ----------------------------------------------------------------

_TO_ENQUEUE = "aphub_webhooks_to_enqueue"


def _note_new(session, flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, WebhookDelivery) and obj.status is WebhookDeliveryStatus.PENDING:
            session.info.setdefault(_TO_ENQUEUE, []).append(obj.id)


def _enqueue_committed(session) -> None:
    ids = session.info.pop(_TO_ENQUEUE, None)
    for delivery_id in ids or ():
        try:
            enqueue_delivery(delivery_id, 0, None)
        except RedisError as exc:
            log.warning("Redis unreachable (%s): webhook deliveries left for dispatch_webhooks", exc)
            return
        except Exception:  # the commit has happened: nothing may undo it now; the dispatcher finds them
            log.warning("webhook delivery %s committed but not enqueued", delivery_id, exc_info=True)


def install_webhook_enqueue(session_target) -> None:
    """Bound once, from the app factory, on the session class."""
    install_after_commit(session_target, _note_new, _enqueue_committed, _TO_ENQUEUE)
    if not sa_event.contains(session_target, "after_transaction_end", forget_pending):
        sa_event.listen(session_target, "after_transaction_end", forget_pending)
