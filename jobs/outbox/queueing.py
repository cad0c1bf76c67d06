"""Putting delivery jobs on the email queues: one job per attempt, found again by its id."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app import clock
from app.models import Notification
from jobs.connection import EMAIL, URGENT, get_queue, redis_connection
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
    from jobs.outbox.delivery import deliver_notification

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
    from jobs.outbox.delivery import deliver_notification

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
