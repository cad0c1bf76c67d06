"""The Redis connection and the queues, named by workload (redash's `@job("emails")` idea)."""
from __future__ import annotations

from flask import current_app
from redis import Redis
from rq import Queue

# Workloads: urgent safeguarding prompts never wait behind a trust-wide sweep.
URGENT = "urgent"
EMAIL = "email"
SWEEPS = "sweeps"
DEFAULT = "default"
QUEUE_NAMES = (URGENT, EMAIL, SWEEPS, DEFAULT)  # worker priority order


def redis_connection(url: str | None = None) -> Redis:
    return Redis.from_url(url or current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)


def queue_name(name: str, prefix: str | None = None) -> str:
    prefix = prefix if prefix is not None else current_app.config["RQ_QUEUE_PREFIX"]
    return f"{prefix}-{name}" if prefix else name


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(queue_name(name), connection=connection or redis_connection())


def all_queues(connection: Redis | None = None) -> list[Queue]:
    conn = connection or redis_connection()
    return [get_queue(n, conn) for n in QUEUE_NAMES]
