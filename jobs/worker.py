"""The worker entry point: one place where a worker process gets its app context."""
from __future__ import annotations

import os

from rq import SimpleWorker, Worker

from jobs.connection import all_queues, get_queue, redis_connection

_app = None


def current_job_app():
    """The Flask app of this worker process (created once); jobs push its context around their body."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def run_worker(app, burst: bool = False, with_scheduler: bool = True, simple: bool = False,
               queue_names: list[str] | None = None) -> None:
    """Work the queues. By default each job runs in a forked work-horse (RQ's isolation); `simple` runs jobs
    in this process, for throughput."""
    global _app
    _app = app
    with app.app_context():
        from app.extensions import db

        engine = db.engine
        # A forked work-horse must never use a pooled connection of its parent (they would share a socket):
        # give it a fresh pool, leaving the parent's connections alone.
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        conn = redis_connection()
        worker_class = SimpleWorker if simple else Worker
        queues = [get_queue(n, conn) for n in queue_names] if queue_names else all_queues(conn)
        worker = worker_class(queues, connection=conn)
        worker.work(burst=burst, with_scheduler=with_scheduler)
