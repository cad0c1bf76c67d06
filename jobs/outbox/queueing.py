"""Putting delivery jobs on the email queues: one job per attempt, found again by its id."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app import clock
from app.models import Notification
from jobs.connection import EMAIL, URGENT, get_queue, queue_name, redis_connection
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
    from jobs.outbox.delivery import deliver_notification  # deferred: an import cycle at start-up (hoisting it fails)

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
    """The refs whose attempt has no job waiting or running, its own or a batch's, found in a few round trips.
    A finished or failed job of that id (it ran without claiming, or its worker died) is deleted so the attempt
    can be enqueued again."""
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
    return _not_in_a_live_batch(missing, conn)


def _batch_mark(ref: DeliveryRef) -> str:
    return f"{queue_name('outbox-batched')}:{ref.job_id}"


def _not_in_a_live_batch(refs: list[DeliveryRef], conn) -> list[DeliveryRef]:
    """Of these refs, the ones no batch job waiting or running will deliver (each batched attempt is marked
    with its batch's job id; a finished, failed or orphaned batch delivers nothing more)."""
    if not refs:
        return []
    marks = [m.decode() if m else None for m in conn.mget([_batch_mark(ref) for ref in refs])]
    batch_ids = sorted({m for m in marks if m})
    live = {job.id for job in Job.fetch_many(batch_ids, connection=conn) if job is not None
            and job.get_status(refresh=False) in _STILL_WILL_RUN and not _orphaned(job, conn)} if batch_ids else set()
    return [ref for ref, mark in zip(refs, marks, strict=True) if mark not in live]


# A worker beats every few seconds while idle and at least every 30 s while a job runs (RQ's monitoring interval).
WORKER_SILENT_SECONDS = 90


def _orphaned(job: Job, conn) -> bool:
    """A job 'started' by a worker that has since died (SIGKILL, power cut) stays 'started' until RQ cleans its
    registries, about ten minutes later; its row, never claimed, waited as long (the fault run's worker kill).
    Taking it for dead too early costs only a job that claims nothing: the claim, not this guess, keeps a
    message single."""

    if job.get_status(refresh=False) != JobStatus.STARTED:
        return False
    worker = Worker.find_by_key(f"{Worker.redis_worker_namespace_prefix}{job.worker_name}", connection=conn) \
        if job.worker_name else None
    if worker is None or worker.last_heartbeat is None:
        return True
    beat = worker.last_heartbeat
    beat = beat if beat.tzinfo else beat.replace(tzinfo=UTC)
    return (clock.now() - beat).total_seconds() > WORKER_SILENT_SECONDS


# More first attempts than this for one queue in one commit (a sweep's emails) go as batch jobs, each over one
# SMTP connection (jobs/outbox/batch.py); fewer (a request's few) as a job each, for the lowest latency.
BATCH_FROM = 10
BATCH_MARK_SECONDS = 24 * 3600


def enqueue_new_deliveries(refs: list[DeliveryRef]) -> None:
    """Enqueue the first attempt of freshly committed notifications, in one pipelined round trip. No job can
    exist yet for a first attempt; should dispatch_outbox race us to one, the claim keeps the send single."""
    from jobs.outbox.batch import BATCH_SIZE, deliver_batch  # deferred: an import cycle at start-up (hoisting it fails)
    from jobs.outbox.delivery import deliver_notification  # deferred: an import cycle at start-up (hoisting it fails)

    conn = redis_connection()
    by_queue: dict[str, list[DeliveryRef]] = {}
    for ref in sorted(refs, key=lambda r: (r.school_id or 0, r.id)):  # a batch's emails grouped by school
        by_queue.setdefault(ref.queue, []).append(ref)
    options = dict(result_ttl=3600, failure_ttl=7 * 24 * 3600, meta=job_meta())
    with conn.pipeline() as pipe:
        for name, queued in by_queue.items():
            if len(queued) < BATCH_FROM:
                datas = [Queue.prepare_data(deliver_notification, (ref.id, ref.school_id), job_id=ref.job_id,
                                            **options) for ref in queued]
            else:
                datas = []
                for start in range(0, len(queued), BATCH_SIZE):
                    part = queued[start:start + BATCH_SIZE]
                    job_id = safe_job_id("deliver-batch", part[0].id, part[-1].id, len(part), uuid.uuid4().hex[:8])
                    datas.append(Queue.prepare_data(deliver_batch, ([[r.id, r.school_id] for r in part],),
                                                    job_id=job_id, timeout=600, **options))
                    for ref in part:
                        pipe.set(_batch_mark(ref), job_id, ex=BATCH_MARK_SECONDS)
            get_queue(name, conn).enqueue_many(datas, pipeline=pipe)
        pipe.execute()
