"""The periodic runner on a real Redis: one leader, each (job, slot) enqueued once, catch-up after a gap."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rq import Queue
from rq.registry import FinishedJobRegistry

from app.clock import SCHOOL_TZ
from jobs.connection import SWEEPS, queue_name, redis_connection
from jobs.runner import PeriodicRunner
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import calendars_for_a_and_b, queued_job_ids, run_worker, tasks_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(UTC)


def names(runs) -> list[str]:
    return [r.job.name for r in runs]


def test_one_runner_leads_and_a_second_enqueues_nothing(app):
    conn = redis_connection()
    first, second = PeriodicRunner(conn, runner_id="first"), PeriodicRunner(conn, runner_id="second")
    with school_time("2026-03-10 06:29"):
        assert first.tick() == []  # a first start has missed nothing
        assert second.tick() == []
    with school_time("2026-03-10 06:31"):
        assert second.tick() == []
        assert names(first.tick()) == ["calendar-readiness", "outbox-dispatch", "webhooks-dispatch"]
        assert second.tick() == []
    assert queued_job_ids() == ["periodic-calendar-readiness-20260310T0630Z",
                                "periodic-outbox-dispatch-20260310T0631Z",
                                "periodic-webhooks-dispatch-20260310T0631Z"]


def test_a_waiting_runner_takes_over_when_the_leader_dies(app):
    conn = redis_connection()
    first = PeriodicRunner(conn, runner_id="first", lock_seconds=1)
    second = PeriodicRunner(conn, runner_id="second", lock_seconds=1)
    with school_time("2026-03-10 06:20"):
        first.tick()
        assert second.tick() == []
    time.sleep(1.3)  # the first runner stopped renewing its lock: it lapses
    with school_time("2026-03-10 06:31"):
        # The second carries on from the first's last tick: the 06:30 run is not lost.
        assert names(second.tick()) == ["calendar-readiness", "outbox-dispatch", "webhooks-dispatch"]
        assert first.tick() == []


def test_the_same_slot_enqueued_twice_runs_once(app, world):
    calendars_for_a_and_b(world)
    school_a = world.a.id  # (jobs end with a fresh session: read ids before running them)
    conn = redis_connection()
    runner = PeriodicRunner(conn, runner_id="only")
    with school_time("2026-06-30 06:29"):
        runner.tick()
    with school_time("2026-06-30 06:31"):
        assert "calendar-readiness" in names(runner.tick())
        # A crash before the last tick was saved: the next tick replays the same slots; their ids absorb it.
        conn.set(runner.last_tick_key, local("2026-06-30 06:29").isoformat())
        assert runner.tick() == []
        run_worker()
        # (read while the clock is still frozen: the registry expires entries by the clock)
        finished = FinishedJobRegistry(queue_name(SWEEPS), connection=conn)
        assert finished.get_job_ids() == ["periodic-calendar-readiness-20260630T0530Z"]
    assert [t.dedupe_key for t in tasks_of(school_a)] == ["calendar-needed:2026-27"]


def test_a_runner_restarted_after_a_gap_catches_up(app):
    conn = redis_connection()
    runner = PeriodicRunner(conn, runner_id="restarted")
    conn.set(runner.last_tick_key, local("2026-03-10 05:00").isoformat())
    with school_time("2026-03-10 08:00:05"):
        runs = runner.tick()
    assert [(r.job.name, r.slot) for r in runs] == [
        ("registration-verdicts", local("2026-03-10 06:00")),
        ("calendar-readiness", local("2026-03-10 06:30")),
        ("half-termly-reviews", local("2026-03-10 06:45")),
        ("qa-visits-due", local("2026-03-10 06:50")),
        ("flexi-schooling-reviews", local("2026-03-10 06:55")),
        ("daily-digests", local("2026-03-10 07:00")),
        ("policy-review", local("2026-03-10 07:05")),
        ("attendance-sessions", local("2026-03-10 07:30")),
        ("part-time-timetables", local("2026-03-10 07:35")),
        ("attendance-cutoffs", local("2026-03-10 08:00")),
        ("outbox-dispatch", local("2026-03-10 08:00")),  # once, for all its missed minutes
        ("task-reminders", local("2026-03-10 08:00")),
        ("webhooks-dispatch", local("2026-03-10 08:00")),  # likewise
    ]
    assert runner.last_tick() == local("2026-03-10 08:00:05")


def test_catching_up_is_bounded(app):
    conn = redis_connection()
    runner = PeriodicRunner(conn, runner_id="long-gone", catch_up=timedelta(hours=6))
    conn.set(runner.last_tick_key, local("2026-03-08 12:00").isoformat())  # two days down
    with school_time("2026-03-10 08:00"):
        runs = runner.tick()
    daily = [(r.job.name, r.slot) for r in runs if r.job.at is not None]
    assert daily == [("registration-verdicts", local("2026-03-10 06:00")),
                     ("calendar-readiness", local("2026-03-10 06:30")),
                     ("half-termly-reviews", local("2026-03-10 06:45")),
                     ("qa-visits-due", local("2026-03-10 06:50")),
                     ("flexi-schooling-reviews", local("2026-03-10 06:55")),
                     ("daily-digests", local("2026-03-10 07:00")), ("policy-review", local("2026-03-10 07:05")),
                     ("attendance-sessions", local("2026-03-10 07:30")),
                     ("part-time-timetables", local("2026-03-10 07:35"))]


def test_the_loop_holds_the_lock_while_it_runs_and_lets_it_go_when_stopped(app):
    conn = redis_connection()
    runner = PeriodicRunner(conn, runner_id="looping")
    stop = threading.Event()

    def loop():
        with app.app_context():
            runner.run(stop, tick_seconds=0.05)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while conn.get(runner.lock_key) != b"looping" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert conn.get(runner.lock_key) == b"looping"
        assert 0 < conn.ttl(runner.lock_key) <= runner.lock_seconds
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert conn.get(runner.lock_key) is None  # another runner may take over at once
    assert runner.last_tick() is not None


def test_flask_jobs_cron_runs_until_sigterm(app, redis_server, tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi", "APHUB_ENV": "testing", "TEST_REDIS_URL": redis_server.url,
           "TEST_DATABASE_URL": f"sqlite:///{tmp_path / 'cron.sqlite3'}", "PYTHONPATH": str(PROJECT_ROOT)}
    log = tmp_path / "cron.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "cron", "--tick", "0.2"],
                                   cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    conn = redis_connection()
    lock_key = f"{app.config['RQ_QUEUE_PREFIX']}:periodic:leader"
    try:
        deadline = time.monotonic() + 20
        while conn.get(lock_key) is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        assert conn.get(lock_key) is not None, log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(15)
    assert code == 0, log.read_text()
    assert conn.get(lock_key) is None
    assert "periodic runner" in log.read_text()


def test_unique_job_ids_hold_across_runners_of_one_deployment(app):
    # Two runners that both believed they led (a lock lost mid-tick) still enqueue a slot once.
    conn = redis_connection()
    a, b = PeriodicRunner(conn, runner_id="a"), PeriodicRunner(conn, runner_id="b")
    run = None
    with school_time("2026-03-10 06:31"):
        from jobs.schedule import PERIODIC_JOBS, due_runs

        run = next(r for r in due_runs(PERIODIC_JOBS, local("2026-03-10 06:29"), local("2026-03-10 06:31"))
                   if r.job.name == "calendar-readiness")
        assert a._enqueue(run) is True
        assert b._enqueue(run) is False
    assert Queue(queue_name(SWEEPS), connection=conn).count == 1
