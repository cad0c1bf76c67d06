"""One process of the scale-out test: `python -m tests.ops.scaleout_process web|worker|cron SETTINGS_JSON CLOCK_FILE`.

Each runs the real thing (a threaded WSGI server on the app, `jobs.worker.run_worker`, `jobs.runner`'s periodic
runner) on the test's database, Redis and SMTP server, with the app's one clock (`app.clock`) following
CLOCK_FILE, which the test moves through a school morning: {"instant": ISO time, "set_at": Unix time}."""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime

from app import clock


def follow_clock(path: str) -> None:
    def loop():
        seen = None
        while True:
            try:
                raw = open(path).read()
            except OSError:
                raw = None
            if raw and raw != seen:
                seen = raw
                data = json.loads(raw)
                clock._offset = (datetime.fromisoformat(data["instant"])
                                 - datetime.fromtimestamp(data["set_at"], UTC))
            time.sleep(0.1)

    threading.Thread(target=loop, daemon=True).start()
    time.sleep(0.3)


def main(kind: str, settings: str, clock_file: str) -> None:
    from app import create_app
    from config import TestingConfig

    follow_clock(clock_file)
    overrides = json.loads(settings)
    app = create_app(TestingConfig, **overrides)
    if kind == "web":
        from werkzeug.serving import make_server

        server = make_server("127.0.0.1", int(os.environ["SCALEOUT_PORT"]), app, threaded=True)
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
        server.serve_forever()
    elif kind == "worker":
        from jobs.worker import run_worker

        run_worker(app, with_scheduler=True)
    elif kind == "cron":
        from jobs.runner import PeriodicRunner

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with app.app_context():
            from jobs.connection import redis_connection

            PeriodicRunner(redis_connection()).run(stop, tick_seconds=1.0)
    else:
        raise SystemExit(f"unknown kind {kind}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
