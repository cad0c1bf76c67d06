"""Delivering the outbox: never lost, never sent twice.

- `deliver_notification(id, school_id)` claims one row with a single conditional UPDATE and commits the claim
  before talking to SMTP, so a second job for the same row (enqueued twice, dispatched twice) finds nothing
  to claim. It records "sent" the moment the server has accepted the message.
- `dispatch_outbox()` (every minute) enqueues whatever is due, and puts rows back whose worker died while
  sending. Such a row is sent again with the same Message-ID: the one window no outbox can close is a worker
  dying between the SMTP server's "250 OK" and our commit, and it is kept to that.
- `send_daily_digests()` (07:00 on weekdays) folds each person's waiting prompts into one email.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from app import clock
from app.extensions import db
from app.models import Audience, Delivery, Notification, NotificationStatus, User
from jobs.connection import EMAIL, URGENT, all_queues, get_queue, redis_connection
from jobs.context import in_school, in_system
from jobs.enqueue import enqueue, job_meta, safe_job_id

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt: quick for a blip, then hourly.
BACKOFF_MINUTES = (1, 2, 5, 15, 60)


def retry_delay(failed_attempts: int) -> timedelta:
    index = min(max(failed_attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


# --- enqueueing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRef:
    """What a delivery job needs: ids, and the row's state, which names the job (one job per attempt)."""

    id: int
    school_id: int | None
    urgent: bool
    attempts: int
    next_attempt_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> DeliveryRef:
        return cls(n.id, n.school_id, bool(n.urgent), n.attempts or 0, n.next_attempt_at)

    @property
    def job_id(self) -> str:
        stamp = int(self.next_attempt_at.timestamp()) if self.next_attempt_at else 0
        return safe_job_id("deliver-notification", self.id, self.attempts, stamp)

    @property
    def queue(self) -> str:
        return URGENT if self.urgent else EMAIL


_STILL_WILL_RUN = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED)


def enqueue_delivery(ref: DeliveryRef, at: datetime | None = None) -> Job | None:
    """Enqueue `deliver_notification` for this attempt; None when a job for it is already waiting or running.

    The job id names the attempt, so dispatching twice enqueues once. A job of that id that will not run
    again (it finished without claiming, failed, or is a scheduled retry whose time has passed) is replaced:
    the atomic claim, not the job id, is what keeps a message from going twice. Raises RedisError."""
    args = (deliver_notification, ref.id, ref.school_id)
    if at is not None:
        return enqueue(ref.queue, *args, job_id=ref.job_id, at=at)
    job = enqueue(ref.queue, *args, job_id=ref.job_id, unique=True)
    if job is not None:
        return job
    conn = redis_connection()
    try:
        existing = Job.fetch(ref.job_id, connection=conn)
    except NoSuchJobError:
        existing = None
    if existing is not None:
        if existing.get_status() in _STILL_WILL_RUN:
            return None
        existing.delete()
    return enqueue(ref.queue, *args, job_id=ref.job_id, unique=True)


def _refs_without_live_job(refs: list[DeliveryRef]) -> list[DeliveryRef]:
    """The refs whose attempt has no job waiting or running, found in one round trip. A finished or failed job
    of that id (it ran without claiming, or its worker died) is deleted so the attempt can be enqueued again."""
    if not refs:
        return []
    conn = redis_connection()
    jobs = Job.fetch_many([ref.job_id for ref in refs], connection=conn)
    missing = []
    for ref, job in zip(refs, jobs, strict=True):
        if job is not None and job.get_status(refresh=False) in _STILL_WILL_RUN and not _orphaned(job, conn):
            continue
        if job is not None:
            job.delete()
        missing.append(ref)
    return missing


# A worker beats every few seconds while idle and at least every 30 s while a job runs (RQ's monitoring interval).
WORKER_SILENT_SECONDS = 90


def _orphaned(job: Job, conn) -> bool:
    """A job 'started' by a worker that has since died (SIGKILL, power cut) stays 'started' until RQ cleans its
    registries, about ten minutes later; its row, never claimed, waited as long (the fault run's worker kill).
    Taking it for dead too early costs only a job that claims nothing: the claim, not this guess, keeps a
    message single."""
    from rq import Worker

    if job.get_status(refresh=False) != JobStatus.STARTED:
        return False
    worker = Worker.find_by_key(f"{Worker.redis_worker_namespace_prefix}{job.worker_name}", connection=conn) \
        if job.worker_name else None
    if worker is None or worker.last_heartbeat is None:
        return True
    beat = worker.last_heartbeat
    beat = beat if beat.tzinfo else beat.replace(tzinfo=UTC)
    return (clock.now() - beat).total_seconds() > WORKER_SILENT_SECONDS


def enqueue_new_deliveries(refs: list[DeliveryRef]) -> None:
    """Enqueue the first attempt of freshly committed notifications, in one pipelined round trip. No job can
    exist yet for a first attempt; should dispatch_outbox race us to one, the claim keeps the send single."""
    conn = redis_connection()
    by_queue: dict[str, list] = {}
    for ref in refs:
        data = Queue.prepare_data(deliver_notification, (ref.id, ref.school_id), job_id=ref.job_id,
                                  result_ttl=3600, failure_ttl=7 * 24 * 3600, meta=job_meta())
        by_queue.setdefault(ref.queue, []).append(data)
    with conn.pipeline() as pipe:
        for name, datas in by_queue.items():
            get_queue(name, conn).enqueue_many(datas, pipeline=pipe)
        pipe.execute()


# --- delivering one ------------------------------------------------------------------------------------------


def deliver_notification(notification_id: int, school_id: int | None) -> str:
    """Send one notification if it is still due. Safe to run any number of times, concurrently too."""
    scope = (in_school(school_id) if school_id is not None
             else in_system("outbox: deliver a notification that belongs to no school"))
    with scope:
        return _deliver(notification_id)


def _deliver(notification_id: int) -> str:
    from app.mail import MailSettings, build_message, send

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
        settings = MailSettings.from_config(current_app.config)
        message = build_message(notification, settings)
    except Exception as exc:  # ours, not SMTP's: recorded on the row like any failure
        return _record_failure(attempt, exc)
    # Hold no connection or transaction while SMTP talks (seconds, or a minute on a slow server): a database
    # restart meanwhile would break it, and "sent" could not be recorded on it (issue 11, finding 1).
    db.session.close()
    try:
        send(message, settings)
    except Exception as exc:  # any failure, SMTP or ours: recorded on the row, retried, then shown as failed
        return _record_failure(attempt, exc)
    _with_database_retries(lambda: _record_sent(notification_id), f"record notification {notification_id} sent")
    return "sent"


@dataclass(frozen=True)
class _Attempt:
    """What recording an attempt's outcome needs, read before the session is closed for the SMTP exchange."""

    id: int
    school_id: int | None
    urgent: bool
    attempts: int

    @classmethod
    def of(cls, n: Notification) -> _Attempt:
        return cls(n.id, n.school_id, bool(n.urgent), n.attempts or 0)


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


def _record_sent(notification_id: int) -> None:
    # A row put back after a stopped worker keeps its note: it may have been delivered twice.
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status != NotificationStatus.SENT)
        .values(status=NotificationStatus.SENT, sent_at=clock.now(), attempts=Notification.attempts + 1,
                claimed_at=None, next_attempt_at=None,
                last_error=case((Notification.reclaimed_at.is_not(None), Notification.last_error), else_=None))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(attempt: _Attempt, exc: Exception) -> str:
    from app.mail import PermanentMailError, describe_error

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


# --- the periodic dispatcher ---------------------------------------------------------------------------------


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
    from app.audit import record_event

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


# --- the daily digest ----------------------------------------------------------------------------------------


@dataclass
class DigestReport:
    digests: int = 0
    folded: int = 0


def send_daily_digests() -> DigestReport:
    """Fold each person's waiting (digest) prompts into one email, itself an outbox row keyed by person and
    local date: run twice in a day, the second run finds today's digest and leaves new prompts for tomorrow."""
    report = DigestReport()
    with in_system("daily digests: waiting prompts of every school, one email per person"):
        day = clock.today()
        user_ids = list(db.session.scalars(
            select(Notification.recipient_user_id)
            .where(Notification.status == NotificationStatus.PENDING, Notification.delivery == Delivery.DIGEST,
                   Notification.recipient_user_id.is_not(None))
            .distinct()
        ))
        for user_id in user_ids:
            try:
                folded = _fold_digest(user_id, day)
            except Exception:
                db.session.rollback()
                log.exception("daily digest for user %s failed; their prompts wait for the next run", user_id)
                continue
            if folded:
                report.digests += 1
                report.folded += folded
    return report


def _fold_digest(user_id: int, day: date) -> int:
    from app.services.notifications import add_to_outbox
    from app.templating import localdatetime

    dedupe_key = f"daily-digest:{user_id}:{day.isoformat()}"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return 0
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return 0
    items = list(db.session.scalars(
        select(Notification)
        .where(Notification.recipient_user_id == user_id, Notification.status == NotificationStatus.PENDING,
               Notification.delivery == Delivery.DIGEST)
        .order_by(Notification.created_at, Notification.id)
    ))
    if not items:
        return 0
    context = {
        "day": f"{day:%A %-d %B %Y}",
        "items": [{"subject": n.subject, "text": n.body_text, "about": n.about_label,
                   "queued_at": localdatetime(n.created_at)} for n in items],
    }
    digest = add_to_outbox(
        dedupe_key=dedupe_key, audience=Audience.STAFF, recipient_email=user.email, recipient_name=user.full_name,
        recipient_user=user, template="daily_digest", context=context, urgent=False, delivery=Delivery.IMMEDIATE,
        about_type="User", about_id=user.id, about_label=user.full_name,
    )
    db.session.flush()  # the digest's id, for digest_id
    ids = [n.id for n in items]
    folded = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.IN_DIGEST, digest_id=digest.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if folded != len(ids):  # another run took some of them: let it have them all
        db.session.rollback()
        return 0
    db.session.commit()
    return folded


# --- queue health --------------------------------------------------------------------------------------------


@dataclass
class QueueStats:
    name: str
    queued: int
    started: int
    scheduled: int
    failed: int


def queue_stats() -> list[QueueStats]:
    """Each queue's counts, in worker priority order. Raises RedisError when Redis is unreachable."""
    conn = redis_connection()
    conn.ping()
    return [QueueStats(name=q.name, queued=q.count, started=q.started_job_registry.count,
                       scheduled=q.scheduled_job_registry.count, failed=q.failed_job_registry.count)
            for q in all_queues(conn)]


@dataclass
class FailedJob:
    queue: str
    id: str
    function: str
    ended_at: datetime | None
    error: str  # the exception's last line


def failed_jobs() -> list[FailedJob]:
    """RQ jobs that raised (not failed notifications: those are rows, see the admin). Raises RedisError."""
    conn = redis_connection()
    out: list[FailedJob] = []
    for q in all_queues(conn):
        ids = q.failed_job_registry.get_job_ids()
        for job in Job.fetch_many(ids, connection=conn):
            if job is None:
                continue
            result = job.latest_result()
            exc = (result.exc_string if result is not None else None) or ""
            lines = [line for line in exc.strip().splitlines() if line.strip()]
            out.append(FailedJob(queue=q.name, id=job.id, function=job.func_name or "?", ended_at=job.ended_at,
                                 error=lines[-1].strip() if lines else "(no exception recorded)"))
    return out
