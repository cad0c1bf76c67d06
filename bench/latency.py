"""Latency: from a sweep's slot to the email at the SMTP server, with the real runner and one real worker.

The probe is a sweep scheduled every minute for the measurement: the trust-wide task-reminders sweep, or the
attendance cut-off sweep (`probe="jobs.attendance_sweeps.attendance_cutoffs"`: cut-off -> the attendance
officer's email). A periodic runner (jobs.runner) ticks in
this process; one RQ worker (bench/latency_worker.py) runs the sweep and delivers its emails to an SMTP server
on loopback. Measured: the slot's minute boundary -> the first email accepted, and -> the last one.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def measure(database_url: str, redis_url: str, instant: str, expected_emails: int | None = None,
            timeout: float = 240.0, simple: bool = False, probe: str = "jobs.sweeps.task_reminders") -> dict:
    from app import create_app
    from app.clock import SCHOOL_TZ, now, running_as_if
    from config import DevelopmentConfig
    from jobs.connection import SWEEPS, redis_connection
    from jobs.runner import PeriodicRunner
    from jobs.schedule import EVERY_DAY, PeriodicJob
    from tests.servers import SmtpSink

    sink = SmtpSink()
    sink.start()
    worker = subprocess.Popen([sys.executable, "-m", "bench.latency_worker", database_url, redis_url,
                               str(sink.port), instant] + (["simple"] if simple else []), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench")
    probe = PeriodicJob("latency-probe", probe, SWEEPS, "the benchmark's probe, every minute",
                        every=timedelta(minutes=1), days=EVERY_DAY)
    stop = threading.Event()
    result: dict = {}
    try:
        time.sleep(3)  # the worker process starts
        with app.app_context(), running_as_if(datetime.fromisoformat(instant).replace(tzinfo=SCHOOL_TZ)):
            runner = PeriodicRunner(redis_connection(), [probe], prefix="bench-latency")
            runner.tick()  # the first tick of a new runner only remembers the time
            def run_runner():
                with app.app_context():
                    runner.run(stop, 2.0)

            thread = threading.Thread(target=run_runner, daemon=True)
            thread.start()
            started = now()
            slot = started.replace(second=0, microsecond=0) + timedelta(minutes=1)
            deadline = time.monotonic() + timeout
            first = last = None
            count = 0
            while time.monotonic() < deadline:
                got = len(sink.messages)
                if got and first is None:
                    first = now()
                if got > count:
                    count, last = got, now()
                if expected_emails and count >= expected_emails:
                    break
                if last is not None and (now() - last).total_seconds() > 15:
                    break  # no more mail for 15 s: the sweep's emails are all out
                time.sleep(0.2)
            result = {
                "emails": count,
                "slot_to_first_email_s": round((first - slot).total_seconds(), 1) if first else None,
                "slot_to_last_email_s": round((last - slot).total_seconds(), 1) if last else None,
            }
    finally:
        stop.set()
        _stop_worker(worker)
        sink.stop()
    return result


def _stop_worker(worker: subprocess.Popen, grace: float = 30.0) -> None:
    """SIGTERM (a warm shutdown: the job in hand finishes), then SIGKILL after `grace` seconds. A forking worker
    busy with a long batch did not stop within 30 s and `wait` raised, losing the run's figures (issue 18)."""
    worker.terminate()
    try:
        worker.wait(grace)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(10)
