"""Queue health for the admin and the metrics: counts per queue, and the RQ jobs that raised."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq.job import Job

from jobs.connection import all_queues, redis_connection


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
