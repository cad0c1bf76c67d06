"""One process of AP Hub's process set on a moved clock, for runs that must happen on a school morning whatever
day it is (the school-morning load test, the scale-out test).

    python -m bench.process_set web|mail|worker|all-queues|cron CLOCK_FILE

Each runs the real thing: gunicorn with deploy/gunicorn.conf.py (its workers forked as in production), an RQ worker
(`mail`: --simple on the urgent and email queues, `worker`: sweeps and default, as the Procfile's; `all-queues`:
one forking worker on every queue), the periodic runner. The app comes from
`wsgi` (the environment's settings: production in the load test) unless APHUB_TEST_SETTINGS holds a JSON object
of overrides for TestingConfig (the scale-out test). The app's one clock (`app.clock`) follows CLOCK_FILE, which
the driver moves: {"instant": ISO time, "set_at": Unix time, "speed": simulated seconds per real second}.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app import clock

ROOT = Path(__file__).resolve().parent.parent


def clock_at(data: dict, real: float) -> datetime:
    """The simulated instant at real time `real` (Unix seconds), from a clock file's contents."""
    elapsed = (real - data["set_at"]) * float(data.get("speed", 1.0))
    return datetime.fromisoformat(data["instant"]) + timedelta(seconds=elapsed)


def follow_clock(path: str) -> None:
    """Keep `app.clock` on the file's simulated time. At speed 1 an offset is enough; faster, the offset is
    recomputed every 50 ms (the clock then moves in small steps, which the sweeps' minute slots cannot tell)."""
    def loop():
        while True:
            try:
                data = json.loads(Path(path).read_text())
            except (OSError, ValueError):
                data = None
            if data:
                real = time.time()
                clock._offset = clock_at(data, real) - datetime.fromtimestamp(real, UTC)
            time.sleep(0.05)

    threading.Thread(target=loop, daemon=True, name="follow-clock").start()
    time.sleep(0.2)


WORKER_QUEUES = {"mail": ["urgent", "email"], "worker": ["sweeps", "default"], "all-queues": None}


def make_app():
    overrides = os.environ.get("APHUB_TEST_SETTINGS")
    if overrides:
        from app import create_app
        from config import TestingConfig

        return create_app(TestingConfig, **json.loads(overrides))
    from wsgi import app

    return app


def serve_web(clock_file: str) -> None:
    """gunicorn as the Procfile runs it (deploy/gunicorn.conf.py, bind and workers from the environment); each
    forked worker follows the clock and makes its own app, so no database connection crosses a fork."""
    from gunicorn.app.base import Application

    class Web(Application):
        def init(self, parser, opts, args):
            return {}

        def load_config(self):
            self.load_config_from_file(str(ROOT / "deploy" / "gunicorn.conf.py"))
            self.cfg.set("post_fork", lambda server, worker: follow_clock(clock_file))

        def load(self):
            return make_app()

    sys.argv = [sys.argv[0]]  # gunicorn's own argument parser must not read ours
    Web().run()


def main(kind: str, clock_file: str) -> None:
    if kind == "web":
        serve_web(clock_file)
        return
    follow_clock(clock_file)
    app = make_app()
    if kind in WORKER_QUEUES:
        from jobs.worker import run_worker

        run_worker(app, with_scheduler=True, simple=kind == "mail", queue_names=WORKER_QUEUES[kind])
    elif kind == "cron":
        from jobs.connection import redis_connection
        from jobs.runner import PeriodicRunner

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with app.app_context():
            PeriodicRunner(redis_connection()).run(stop, tick_seconds=float(os.environ.get("CRON_TICK", "1.0")))
    else:
        raise SystemExit(f"unknown kind {kind}: web, mail, worker, all-queues or cron")


if __name__ == "__main__":
    main(*sys.argv[1:3])
