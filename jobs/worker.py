"""The worker entry point: one place where a worker process gets its app context."""
from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError
from rq import SimpleWorker, Worker

from app.extensions import db
from jobs.connection import all_queues, get_queue, redis_connection

log = logging.getLogger(__name__)

_app = None

# Seconds to wait before reconnecting after Redis failed under the worker: 1, 2, 4 ... then every 30 s.
RECONNECT_FIRST_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 30.0


def current_job_app():
    """The Flask app of this worker process (created once); jobs push its context around their body."""
    global _app
    if _app is None:
        from app.factory import create_app  # deferred: the worker's composition root (it imports jobs at load)

        _app = create_app()
    return _app


def run_worker(app, burst: bool = False, with_scheduler: bool = True, simple: bool = False,
               queue_names: list[str] | None = None) -> None:
    """Work the queues (`queue_names` in priority order, default every one) until told to stop (SIGTERM/SIGINT)
    or, with `burst`, until they are empty. By default each job runs in a forked work-horse (RQ's isolation);
    `simple` runs jobs in this process, for throughput.

    RQ's own loop quits for good on a Redis error during a job ("found an unhandled exception, quitting"):
    then every email waited for a person to restart the worker (issue 11, finding 3). Here a worker that
    stopped without being asked is started again once Redis answers, with backoff; the outbox's claim makes
    a job interrupted that way safe to run again."""
    global _app
    _app = app
    with app.app_context():
        engine = db.engine
        # A forked work-horse must never use a pooled connection of its parent (they would share a socket):
        # give it a fresh pool, leaving the parent's connections alone.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        worker_class = SimpleWorker if simple else Worker
        delay = RECONNECT_FIRST_SECONDS
        while True:
            conn = redis_connection()
            worker = None
            try:
                queues = [get_queue(n, conn) for n in queue_names] if queue_names else all_queues(conn)
                worker = worker_class(queues, connection=conn)
                worked = worker.work(burst=burst, with_scheduler=with_scheduler)
            except RedisError as exc:  # RQ's start-up and tear-down talk to Redis outside its own guard
                log.warning("worker: Redis failed (%s)", exc)
                worked = False
            if burst or (worker is not None and _asked_to_stop(worker)):
                return
            if worked:
                delay = RECONNECT_FIRST_SECONDS
            log.warning("worker: the RQ worker stopped without being asked (Redis failed under it); "
                        "starting again in %.0f s", delay)
            if not _wait_for_redis(conn, delay):
                return
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)


def _asked_to_stop(worker) -> bool:
    return bool(worker._stop_requested or getattr(worker, "_shutdown_requested_date", None))


def _wait_for_redis(conn, delay: float) -> bool:
    """Sleep `delay`, then until Redis answers a ping (backing off); False if SIGTERM or SIGINT came first.
    RQ's handlers are gone with its loop, so ours are installed for the wait."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(delay):
            try:
                conn.ping()
                return True
            except RedisError as exc:
                log.warning("worker: Redis is still unreachable (%s); trying again in %.0f s", exc, delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
        log.info("worker: asked to stop while waiting for Redis")
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass(frozen=True)
class LiveWorker:
    name: str
    state: str
    last_heartbeat: datetime | None
    current_job: str | None


def live_workers() -> list[LiveWorker]:
    """The workers registered on AP Hub's queues whose heartbeat has not expired (RQ drops a worker's key when
    its heartbeat lapses), for queue health. Raises RedisError."""
    conn = redis_connection()
    found: dict[str, LiveWorker] = {}
    for queue in all_queues(conn):
        for w in Worker.all(queue=queue):
            found.setdefault(w.name, LiveWorker(name=w.name, state=str(w.get_state()),
                                                last_heartbeat=w.last_heartbeat,
                                                current_job=w.get_current_job_id()))
    return sorted(found.values(), key=lambda w: w.name)
