"""The Redis connection and the queues, named by workload (redash's `@job("emails")` idea)."""
from __future__ import annotations

import os

from flask import current_app
from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry
from rq import Queue

# Workloads: urgent safeguarding prompts never wait behind a trust-wide sweep.
URGENT = "urgent"
EMAIL = "email"
WEBHOOKS = "webhooks"  # events for the trust's other systems: a slow receiver never delays an email
SWEEPS = "sweeps"
DEFAULT = "default"
QUEUE_NAMES = (URGENT, EMAIL, WEBHOOKS, SWEEPS, DEFAULT)  # worker priority order


_clients: dict[tuple[str, int], Redis] = {}


def redis_connection(url: str | None = None) -> Redis:
    """One client (and connection pool) per Redis URL per process: a new TCP connection for every enqueue
    cost milliseconds each, which a sweep queuing thousands of emails cannot afford. Keyed by pid because
    RQ's work-horses are forked. Short timeouts and two quick retries: when Redis is down, a request that
    only enqueues best-effort must not hang."""
    url = url or current_app.config["REDIS_URL"]
    key = (url, os.getpid())
    client = _clients.get(key)
    if client is None:
        client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5,
                                retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
                                retry_on_error=[ConnectionError, TimeoutError])
        _clients[key] = client
    return client


def queue_name(name: str, prefix: str | None = None) -> str:
    prefix = prefix if prefix is not None else current_app.config["RQ_QUEUE_PREFIX"]
    return f"{prefix}-{name}" if prefix else name


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(queue_name(name), connection=connection or redis_connection())


def all_queues(connection: Redis | None = None) -> list[Queue]:
    conn = connection or redis_connection()
    return [get_queue(n, conn) for n in QUEUE_NAMES]
