"""A sweep's burst of emails, from the commit that queues them to the last one accepted by an SMTP server, with
one real worker (forking, then --simple): the delivery half of "cut-off -> last of 1,161 emails" (issue 18).

    .venv/bin/python -m bench.email_burst --postgres postgresql+psycopg://USER:PASS@127.0.0.1:5432/postgres [N]

A small generated trust on PostgreSQL gives the school and the recipients; N (default 1,161) staff prompts are
queued in one commit, as the attendance cut-off sweep queues them, and the time to the last message at a
loopback SMTP server (aiosmtpd) is measured, with the load average beside it. The sweep itself (its 1,161
prompts in 3.4-3.6 s) is measured by bench/run.py.
"""
from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def queue_burst(database_url: str, redis_url: str, n: int) -> float:
    """Queue n prompts in one commit; returns the monotonic time of the commit."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Audience, School, User
    from app.services.notifications import queue_notification
    from config import DevelopmentConfig
    from tenants import school_scope, system_scope

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench")
    with app.app_context():
        with system_scope("benchmark: the school of the burst"):
            school_id = db.session.scalar(select(School.id).order_by(School.id).limit(1))
        with school_scope(school_id):
            user = db.session.scalar(select(User).where(User.email.like(f"attendance_officer.{school_id}@%")))
            for i in range(n):
                queue_notification(dedupe_key=f"burst:{time.time_ns()}:{i}", audience=Audience.STAFF,
                                   recipient_email=user.email, recipient_name=user.full_name, template="notice",
                                   context={"subject": f"Session {i} unconfirmed", "paragraphs": ["Please call."],
                                            "school_name": "Bench School"})
            db.session.commit()
            committed = time.monotonic()
        db.engine.dispose()
    return committed


def measure(database_url: str, redis_url: str, instant: str, n: int, simple: bool) -> dict:
    from bench.latency import _stop_worker
    from bench.pages import loadavg
    from tests.servers import SmtpSink

    sink = SmtpSink()
    sink.start()
    worker = subprocess.Popen([sys.executable, "-m", "bench.latency_worker", database_url, redis_url,
                               str(sink.port), instant] + (["simple"] if simple else []), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(4)  # the worker starts
        committed = queue_burst(database_url, redis_url, n)
        first = last = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and len(sink.messages) < n:
            if sink.messages and first is None:
                first = time.monotonic()
            time.sleep(0.05)
        last = time.monotonic()
        got = len(sink.messages)
        ids = {m["Message-ID"] for m in sink.messages}
    finally:
        _stop_worker(worker)
        sink.stop()
    return {"worker": "--simple" if simple else "forking", "emails": got, "distinct_message_ids": len(ids),
            "commit_to_first_s": round(first - committed, 1) if first else None,
            "commit_to_last_s": round(last - committed, 1), "loadavg": loadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True)
    parser.add_argument("n", nargs="?", type=int, default=1161)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.run import bench_instant, build, create_database, redis_flush
    from tests.servers import RedisServer

    # SIGTERM (timeout, Ctrl-C in a pipeline) runs the finally below: the Redis and the workers it started stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis = RedisServer()
    redis.start()
    instant = bench_instant()
    results = []
    try:
        url = create_database(args.postgres, "aphub_bench_email_burst")
        build(url, redis.url, 1, instant, scale=0.02)
        for simple in (True, False):
            redis_flush(redis.url)
            results.append(measure(url, redis.url, instant, args.n, simple))
            print(json.dumps(results[-1]), flush=True)
    finally:
        redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
