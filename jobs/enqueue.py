"""Putting work on a queue. Enqueuing is best effort where a durable record already exists (the outbox row,
the task row): if Redis is down the periodic runner finds the work again, so a request never fails for it."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job

from app.ops.logs import current_request_id
from jobs.connection import get_queue, redis_connection

log = logging.getLogger(__name__)


def safe_job_id(*parts) -> str:
    """RQ job ids may only hold letters, digits, '_' and '-'."""
    raw = "-".join(str(p) for p in parts)
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in raw)[:200]


def job_meta(meta: dict | None = None) -> dict:
    """A job's meta with the request id of the request (or job) enqueuing it, so its log lines can be followed."""
    request_id = current_request_id()
    return {**(meta or {}), **({"request_id": request_id} if request_id else {})}


def enqueue(queue: str, func, *args, job_id: str | None = None, unique: bool = False, at: datetime | None = None,
            retry: Retry | None = None, result_ttl: int = 3600, meta: dict | None = None, **kwargs) -> Job | None:
    """Enqueue `func(*args, **kwargs)`. With `unique`, a job id already known to Redis is not enqueued again."""
    q = get_queue(queue, redis_connection())
    options = dict(job_id=job_id, retry=retry, result_ttl=result_ttl, failure_ttl=7 * 24 * 3600,
                   meta=job_meta(meta))
    try:
        if at is not None:
            if at.tzinfo is None:
                raise ValueError("enqueue(at=...) needs an aware datetime; RQ reads naive ones as server-local")
            return q.enqueue_at(at.astimezone(UTC), func, *args, **options, **kwargs)
        if unique and job_id:
            return q.enqueue(func, *args, unique=True, **options, **kwargs)
        return q.enqueue(func, *args, **options, **kwargs)
    except DuplicateJobError:
        return None


def try_enqueue(queue: str, func, *args, **kwargs) -> Job | None:
    """As `enqueue`, but Redis being unreachable is logged, not raised: the durable row will be found later."""
    try:
        return enqueue(queue, func, *args, **kwargs)
    except RedisError as exc:
        log.warning("could not enqueue %s on %s (%s); the periodic runner will pick it up", func, queue, exc)
        return None
