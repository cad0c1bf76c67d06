"""Scale-out (PostgreSQL only): two web processes (gunicorn, as deployed), two workers and two cron runners on one
PostgreSQL and one Redis run a school morning, and a real SMTP server counts what went out.

The morning, on Monday 16 March 2026 with the processes' one clock moved by the test: the day's sessions are
made at 07:30; the attendance officer confirms half of them, alternating between the two web processes; at
the 09:30 cut-off every unconfirmed session becomes a prompt (task and email), and at 10:30 a welfare check
for the DSL (task and email). Counted: every email once at the SMTP server, every sweep slot run once, one
task and one welfare check per unconfirmed session."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from rq.job import Job
from sqlalchemy import func, select

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import AttendanceSession, Notification, NotificationStatus, Task, WelfareCheck
from app.services.tasks import TaskKind
from jobs.connection import all_queues, redis_connection
from tenants import system_scope
from tests.attendance import conftest as attendance_fixtures
from tests.attendance.conftest import active_placement
from tests.factories import PASSWORD
from tests.helpers import school_time
from tests.ops.browser import Browser, csrf_token
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PLACEMENTS = 12
MONDAY = "2026-03-16"

calendar_a = attendance_fixtures.calendar_a  # the fixture


def wait_until(what: str, check, timeout: float = 120.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def counted(query) -> int:
    with system_scope("test: counting the morning"):
        try:
            return db.session.scalar(query)
        finally:
            db.session.rollback()


def _start_processes(app, ports: list[int], tmp_path, clock_file) -> list[subprocess.Popen]:
    """Two web processes (gunicorn, as deployed), two workers and two periodic runners, all on the test's clock
    file."""
    settings = json.dumps({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "REDIS_URL": app.config["REDIS_URL"], "SMTP_HOST": "127.0.0.1",
                           "SMTP_PORT": app.config["SMTP_PORT"], "MAIL_FOLDER": str(tmp_path / "mail"),
                           "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    processes = []
    # gunicorn with the deployment's config (two forked workers each), forking RQ workers on every queue, and the
    # periodic runner: bench/process_set.py, which keeps each process on the test's clock file.
    for kind, port in [("web", ports[0]), ("web", ports[1]), ("all-queues", None), ("all-queues", None),
                       ("cron", None), ("cron", None)]:
        env = {**os.environ, "APHUB_TEST_SETTINGS": settings, "WEB_CONCURRENCY": "2",
               **({"GUNICORN_BIND": f"127.0.0.1:{port}"} if port else {})}
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "bench.process_set", kind, str(clock_file)], cwd=ROOT, env=env,
            stdout=(tmp_path / f"{kind}-{len(processes)}.log").open("w"), stderr=subprocess.STDOUT))
    return processes


def _all_up(webs) -> bool:
    for web in webs:
        try:
            web.request("/healthz")
        except OSError:
            return False
    return True


@pytest.mark.slow
def test_a_school_morning_on_two_of_everything(app, world, calendar_a, smtp_sink, redis_server, tmp_path):
    with school_time("2026-03-09 10:00"):
        pupils = [active_placement(world, first_name=f"Pupil{n}", weekdays=(0,)).pupil_id for n in range(PLACEMENTS)]
    officer_email, slug = world.users["a.attendance_officer"].email, world.a.slug
    db.session.remove()
    clock_file = tmp_path / "clock.json"

    def set_clock(local: str):
        instant = datetime.fromisoformat(f"{MONDAY} {local}").replace(tzinfo=SCHOOL_TZ)
        clock_file.write_text(json.dumps({"instant": instant.isoformat(), "set_at": time.time()}))

    set_clock("07:20:00")  # the processes start; a runner's first tick only remembers the time
    ports = [free_port(), free_port()]
    processes = _start_processes(app, ports, tmp_path, clock_file)
    try:
        webs = [Browser(port) for port in ports]
        wait_until("both web processes", lambda: _all_up(webs), timeout=60)
        conn = redis_connection()
        wait_until("the periodic runner's first tick", lambda: conn.exists("aphub-test:periodic:last-tick"), 60)
        set_clock("07:29:57")

        # 07:30: the day's sessions are made, once.
        wait_until("the day's sessions", lambda: counted(select(func.count()).select_from(AttendanceSession))
                   == PLACEMENTS)
        with system_scope("test"):
            sessions = sorted(db.session.scalars(select(AttendanceSession.id)))
        db.session.rollback()

        # 09:10: the attendance officer confirms half, alternating between the web processes (one session cookie).
        set_clock("09:10:00")
        officer = webs[0]
        status, _, page = officer.request("/sign-in")
        status, _, _ = officer.request("/sign-in", {"email": officer_email,
                                                    "password": PASSWORD,
                                                    "csrf_token": csrf_token(page)})
        assert status == 302
        confirmed = sessions[: PLACEMENTS // 2]
        for n, session_id in enumerate(confirmed):
            web = webs[n % 2]
            web.cookies = officer.cookies
            _, _, page = web.request(f"/{slug}/attendance/")
            status, _, _ = web.request(f"/{slug}/attendance/sessions/{session_id}/confirm",
                                       {"outcome": "attended", "via": "call", "csrf_token": csrf_token(page)})
            assert status == 302, f"confirming {session_id} on web {n % 2 + 1}"
            officer.cookies = web.cookies
        unconfirmed = PLACEMENTS - len(confirmed)

        # 09:30 cut-off: a prompt per unconfirmed session; 10:30: a welfare check for each.
        set_clock("09:30:05")
        wait_until("the cut-off prompts", lambda: counted(select(func.count()).select_from(Task).where(
            Task.kind == TaskKind.ATTENDANCE_UNCONFIRMED)) == unconfirmed)
        set_clock("10:30:05")
        wait_until("the welfare checks", lambda: counted(select(func.count()).select_from(WelfareCheck))
                   == unconfirmed)
        set_clock("10:40:00")

        def all_sent():
            waiting = counted(select(func.count()).select_from(Notification).where(
                Notification.status != NotificationStatus.SENT))
            return waiting == 0 and len(smtp_sink.messages) >= counted(
                select(func.count()).select_from(Notification))

        wait_until("every email delivered", all_sent, timeout=180)
        time.sleep(3)  # anything sent twice would arrive meanwhile
    except BaseException:
        for log in sorted(tmp_path.glob("*.log")):  # what each process said, to see why
            print(f"\n== {log.name}\n" + "\n".join(log.read_text().splitlines()[-25:]))
        raise
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    # Every email once at the SMTP server.
    with system_scope("test"):
        expected = Counter(db.session.scalars(select(Notification.message_id)))
    db.session.rollback()
    delivered = Counter(m["Message-ID"] for m in smtp_sink.messages)
    duplicated = {mid: n for mid, n in delivered.items() if n > 1}
    print(f"\nscale-out: emails expected {sum(expected.values())}, delivered {sum(delivered.values())}, "
          f"duplicated {sum(n - 1 for n in duplicated.values())}")
    assert duplicated == {} and set(delivered) == set(expected) and sum(expected.values()) >= 2 * unconfirmed

    # Every sweep slot run once (RQ keeps one result per execution of a job id).
    runs = Counter()
    for queue in all_queues(conn):
        ids = [i for i in queue.finished_job_registry.get_job_ids() + queue.failed_job_registry.get_job_ids()
               if i.startswith("periodic-")]
        for job in Job.fetch_many(ids, connection=conn):
            if job is not None:
                runs[job.id] = len(job.results())
    print(f"scale-out: sweep slots run {len(runs)}, of them more than once {sum(1 for n in runs.values() if n > 1)}")
    assert runs and all(n == 1 for n in runs.values()), runs
    assert any(i.startswith("periodic-attendance-cutoffs") for i in runs)
    assert any(i.startswith("periodic-attendance-sessions") for i in runs)

    # One prompt and one welfare check per unconfirmed session, none for a confirmed one.
    with system_scope("test"):
        prompted = Counter(db.session.scalars(select(Task.subject_id).where(
            Task.kind == TaskKind.ATTENDANCE_UNCONFIRMED)))
        checked = Counter(db.session.scalars(select(WelfareCheck.attendance_session_id)))
    db.session.rollback()
    assert set(prompted) == set(checked) == set(sessions) - set(confirmed)
    assert max(prompted.values()) == max(checked.values()) == 1
    assert len(pupils) == PLACEMENTS
