"""The worker entry point: one place where a worker process gets its app context."""
from __future__ import annotations

from rq import Worker

from jobs.connection import all_queues, redis_connection

_app = None


def current_job_app():
    """The Flask app of this worker process (created once); jobs push its context around their body."""
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def run_worker(app, burst: bool = False, with_scheduler: bool = True) -> None:
    global _app
    _app = app
    with app.app_context():
        conn = redis_connection()
        worker = Worker(all_queues(conn), connection=conn)
        worker.work(burst=burst, with_scheduler=with_scheduler)
