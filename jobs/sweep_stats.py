"""Each periodic job's last duration, last success and last failure, kept in Redis for the metrics page.

The periodic runner enqueues every run with `callbacks()`: RQ calls `record_success` / `record_failure` in the
worker once the job has ended. Redis, not the worker's memory, so any web process on any machine reports the
same figures, and they survive a worker's restart."""
from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import current_app, has_app_context
from rq import Callback
from rq.job import Job

from jobs.connection import redis_connection
from jobs.worker import current_job_app


def _key(prefix: str) -> str:
    return f"{prefix}:sweep-stats"


def _prefix() -> str:
    if has_app_context():
        return current_app.config["RQ_QUEUE_PREFIX"]
    return current_job_app().config["RQ_QUEUE_PREFIX"]


def callbacks(name: str) -> dict:
    """Keyword arguments for enqueueing a periodic job so its outcome is recorded under `name`."""
    return {"meta": {"sweep": name}, "on_success": Callback(record_success), "on_failure": Callback(record_failure)}


def _duration(job: Job) -> float | None:
    started = job.started_at
    if started is None:
        return None
    if started.tzinfo is None:  # RQ stores UTC
        started = started.replace(tzinfo=UTC)
    return max((datetime.now(UTC) - started).total_seconds(), 0.0)


def record_success(job: Job, connection, result, *args, **kwargs) -> None:
    _record(job, connection, "last_success")


def record_failure(job: Job, connection, exc_type, exc_value, traceback) -> None:
    _record(job, connection, "last_failure")


def _record(job: Job, connection, field: str) -> None:
    name = job.meta.get("sweep")
    if not name:
        return
    duration = _duration(job)
    fields = {f"{name}:{field}": time.time()}
    if duration is not None:
        fields[f"{name}:duration"] = duration
    connection.hset(_key(_prefix()), mapping=fields)


def read_all(connection=None) -> dict[str, dict[str, float]]:
    """{sweep name: {"duration": s, "last_success": unix time, "last_failure": unix time}} as recorded."""
    conn = connection or redis_connection()
    out: dict[str, dict[str, float]] = {}
    for raw_key, raw_value in conn.hgetall(_key(_prefix())).items():
        name, _, field = raw_key.decode().rpartition(":")
        out.setdefault(name, {})[field] = float(raw_value)
    return out
