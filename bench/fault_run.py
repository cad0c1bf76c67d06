"""Issue 11's fault run: a burst of emails through real `flask jobs worker` processes, a real Redis, a real SMTP
server on loopback and a fresh PostgreSQL database, with one fault injected mid-burst each time; every
Message-ID the server keeps is counted. Prints the table (fault, expected, delivered, duplicates, lost, marked,
web errors) as Markdown and JSON.

    TEST_POSTGRES_URL=postgresql+psycopg://aphub_test:aphub_test@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.fault_run [--n 100] [--pg-restart]

--pg-restart also restarts the machine's PostgreSQL (`pg_ctlcluster 15 main restart`) mid-burst while a thread
reads pages as a signed-in person: it disturbs everyone's PostgreSQL, so it is off by default. Retries that
would wait minutes (451: the first retry is a minute later) are brought forward by setting the rows'
next_attempt_at to now, as if the time had passed; nothing else is simulated.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

CLAIM_TIMEOUT = 3  # seconds before a 'sending' row is taken for abandoned (production: 300)
os.environ.setdefault("OUTBOX_CLAIM_TIMEOUT_SECONDS", str(CLAIM_TIMEOUT))  # read when config is imported
os.environ.setdefault("APHUB_ENV", "testing")

ROOT = Path(__file__).resolve().parents[1]


class Run:
    def __init__(self, n: int):
        from app import create_app
        from config import TestingConfig
        from tests.servers import RedisServer, SmtpSink, postgres_test_database

        self.n = n
        self.database_url, self.drop = postgres_test_database(os.environ["TEST_POSTGRES_URL"])
        self.redis = RedisServer()
        self.redis.start()
        self.sink = SmtpSink()
        self.sink.start()
        self.tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"aphub-fault-run-{os.getpid()}"
        self.tmp.mkdir(exist_ok=True)
        self.app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=self.database_url, REDIS_URL=self.redis.url,
                              SMTP_HOST="127.0.0.1", SMTP_PORT=self.sink.port, INSTANCE_PATH=self.tmp,
                              MAIL_FOLDER=self.tmp / "mail", UPLOAD_FOLDER=self.tmp / "uploads",
                              OUTBOX_CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT)
        self.ctx = self.app.app_context()
        self.ctx.push()
        import flask_migrate

        from tests.factories import build_world

        flask_migrate.upgrade()
        build_world()
        self.workers: list = []

    # --- processes ---------------------------------------------------------------------------------------------

    def start_worker(self):
        from tests.jobs.outbox_fixtures import WorkerProcess

        log_path = self.tmp / f"worker-{len(self.workers)}.log"
        env = {**os.environ, "APHUB_ENV": "testing", "FLASK_APP": "wsgi", "TEST_DATABASE_URL": self.database_url,
               "TEST_REDIS_URL": self.redis.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.sink.port),
               "APHUB_INSTANCE_PATH": str(self.tmp), "PYTHONUNBUFFERED": "1"}
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "worker"], cwd=ROOT,
                                       env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        worker = WorkerProcess(process, log_path)
        self.workers.append(worker)
        return worker

    def stop_workers(self):
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.kill_hard()
        self.workers = []

    def close(self):
        self.stop_workers()
        self.ctx.pop()
        with self.app.app_context():
            from app.extensions import db

            db.engine.dispose()
        self.sink.stop()
        self.redis.stop()
        self.drop()

    # --- the outbox --------------------------------------------------------------------------------------------

    def queue(self, fault: str) -> list[int]:
        from tests.jobs.outbox_fixtures import queue_staff_prompt

        return [queue_staff_prompt(key=f"{fault}:{i}") for i in range(self.n)]

    def rows(self, ids):
        from sqlalchemy import select

        from app.extensions import db
        from app.models import Notification
        from tenants import system_scope

        with system_scope("fault run: read the outbox"):
            db.session.expire_all()
            return list(db.session.scalars(select(Notification).where(Notification.id.in_(ids))))

    def sent_count(self, ids) -> int:
        from app.models import NotificationStatus

        try:
            return sum(r.status is NotificationStatus.SENT for r in self.rows(ids))
        except Exception:  # the database may be restarting
            from app.extensions import db

            db.session.rollback()
            return 0

    def settle(self, ids, timeout: float = 120) -> None:
        """Dispatch every second (as cron does every minute), bringing retries forward, until every row is
        sent or failed."""
        from sqlalchemy import update

        from app import clock
        from app.extensions import db
        from app.models import Notification, NotificationStatus
        from jobs.outbox import dispatch_outbox
        from tenants import system_scope

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                rows = self.rows(ids)
                if all(r.status in (NotificationStatus.SENT, NotificationStatus.FAILED) for r in rows):
                    return
                with system_scope("fault run: the retry's time has come"):
                    db.session.execute(update(Notification).where(
                        Notification.id.in_(ids), Notification.status == NotificationStatus.PENDING,
                        Notification.next_attempt_at > clock.now()).values(next_attempt_at=clock.now())
                        .execution_options(synchronize_session=False))
                    db.session.commit()
                dispatch_outbox()
            except Exception as exc:  # noqa: BLE001 Redis or the database down for a moment: try again
                db.session.rollback()
                import traceback

                print(f"  dispatch: {type(exc).__name__}: {exc}\n" + "".join(traceback.format_exc().splitlines(True)[-6:]),
                      file=sys.stderr)
            time.sleep(1)
        print(f"  not settled after {timeout}s", file=sys.stderr)

    def count(self, fault: str, ids, expected: str, web: Counter | None = None) -> dict:
        from app.models import NotificationStatus

        rows = self.rows(ids)
        mine = {r.message_id: r for r in rows}
        received = Counter(m["Message-ID"] for m in self.sink.messages if m["Message-ID"] in mine)
        sent = [r for r in rows if r.status is NotificationStatus.SENT]
        failed = [r for r in rows if r.status is NotificationStatus.FAILED]
        return {
            "fault": fault, "expected": expected, "emails": len(rows),
            "delivered": len(received), "duplicates": sum(c - 1 for c in received.values()),
            "duplicates_marked": sum(1 for mid, c in received.items() if c > 1 and mine[mid].reclaimed_at),
            "marked": sum(1 for r in rows if r.reclaimed_at is not None),
            "failed": len(failed),
            # not failed (a failed row is shown to the trustee, and can be retried) and never reached the server
            "lost": len([r for r in rows if r.status is not NotificationStatus.FAILED
                         and received[r.message_id] == 0]),
            "sent_rows": len(sent),
            "web": dict(web) if web is not None else {},
        }


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _pg_restart_fault(run, burst, at_fraction, results: list[dict]) -> None:
    """PostgreSQL restarted mid-burst while a signed-in person reads pages."""
    web = Counter()
    stop = threading.Event()

    def read_pages():
        from tests.helpers import sign_in
        from tests.jobs.outbox_fixtures import user_for

        client = run.app.test_client()
        with run.app.app_context():
            sign_in(client, user_for("a.dsl"))
        while not stop.is_set():
            for path in ("/", "/account/", "/health"):
                try:
                    web[client.get(path).status_code] += 1
                except Exception as exc:  # noqa: BLE001 an unhandled error is a 500 to a person
                    web[f"500 ({type(exc).__name__})"] += 1
            time.sleep(0.05)

    reader = threading.Thread(target=read_pages, daemon=True)
    reader.start()

    def pg_restarted(ids):
        at_fraction(ids)
        subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)

    burst("PostgreSQL restarted mid-burst (pages read meanwhile)", "all once; no 500, 503 at most",
          pg_restarted, web=web)
    stop.set()
    reader.join(10)
    results[-1]["web"] = dict(web)


def fault_run(n: int, pg_restart: bool) -> list[dict]:
    run = Run(n)
    results = []
    only = os.environ.get("FAULT_RUN_ONLY")  # run just the faults whose name contains this
    try:
        def burst(fault, expected, inject=None, workers=1, web=None):
            if only and only not in fault:
                return
            run.sink.clear()
            for _ in range(workers):
                run.start_worker()
            ids = run.queue(fault)
            if inject is not None:
                inject(ids)
            run.settle(ids)
            results.append(run.count(fault, ids, expected, web))
            alive = [w for w in run.workers if w.process.poll() is None]
            results[-1]["workers_alive_after"] = f"{len(alive)}/{len(run.workers)}"
            run.stop_workers()
            print(json.dumps(results[-1]), file=sys.stderr)

        def at_fraction(ids, fraction=0.3):
            wait_for(lambda: run.sent_count(ids) >= n * fraction)

        burst("none", "all once")

        def redis_stopped(ids):
            at_fraction(ids)
            run.redis.stop()
            time.sleep(3)
            run.redis.start()
        burst("Redis stopped 3 s mid-burst (restarts empty)", "all once; worker survives", redis_stopped)

        def redis_emptied(ids):
            import redis

            at_fraction(ids)
            redis.Redis.from_url(run.redis.url).flushall()
        burst("Redis emptied (FLUSHALL) mid-burst", "all once", redis_emptied)

        def worker_killed(ids):
            at_fraction(ids)
            run.workers[0].kill_hard()
            run.start_worker()
        burst("worker SIGKILLed mid-burst, another started", "all; a copy only if killed after 250, marked",
              worker_killed)

        def smtp_451(ids):
            run.sink.refuse = True
            time.sleep(3)
            run.sink.refuse = False
        burst("SMTP answers 451 for 3 s", "all once (retried)", smtp_451)

        def smtp_550(ids):
            run.sink.refuse_code = "550 5.1.1 no such user"
            run.sink.refuse = True
            wait_for(lambda: all(r.status.value == "failed" for r in run.rows(ids)), timeout=60)
            run.sink.refuse = False
        burst("SMTP answers 550 to all", "none delivered; all failed, shown", smtp_550)

        def smtp_crash(ids):
            at_fraction(ids)
            run.sink.crash = True
            time.sleep(3)
            run.sink.crash = False
        burst("SMTP drops the connection mid-DATA for 3 s", "all once (retried)", smtp_crash)

        if pg_restart:
            _pg_restart_fault(run, burst, at_fraction, results)
    finally:
        run.close()
    return results


def table(results: list[dict]) -> str:
    lines = ["| fault | expected | emails | delivered | duplicates (marked) | failed (shown) | lost | "
             "rows marked | worker alive after | web responses |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        web = ", ".join(f"{k}: {v}" for k, v in sorted(r["web"].items(), key=str)) or "-"
        lines.append(f"| {r['fault']} | {r['expected']} | {r['emails']} | {r['delivered']} | {r['duplicates']} "
                     f"({r['duplicates_marked']}) | {r['failed']} | {r['lost']} | {r['marked']} | "
                     f"{r['workers_alive_after']} | {web} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="emails per fault")
    parser.add_argument("--pg-restart", action="store_true", help="also restart PostgreSQL mid-burst")
    args = parser.parse_args()
    out = fault_run(args.n, args.pg_restart)
    print(table(out))
    print(json.dumps(out))
