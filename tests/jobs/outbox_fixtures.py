"""Helpers and fixtures for the outbox tests (imported by each test module, not a shared conftest)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from rq import SimpleWorker
from sqlalchemy import select

from app.extensions import db
from app.models import Audience, Notification
from jobs.connection import all_queues, redis_connection
from tenants import school_scope, system_scope

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_worker(with_scheduler: bool = False) -> None:
    """Run every queued job in this process (a real RQ worker on the real Redis), then return."""
    conn = redis_connection()
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True, with_scheduler=with_scheduler)


def notification(nid: int) -> Notification:
    """A fresh copy of the row, read in a system scope (jobs remove the session, so objects go stale)."""
    with system_scope("test: read a notification"):
        db.session.expire_all()
        return db.session.get(Notification, nid)


def all_notifications() -> list[Notification]:
    with system_scope("test: read the outbox"):
        db.session.expire_all()
        return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def school_id(key: str = "a") -> int:
    """The test world's school id by its key (world objects go stale once a job has removed the session)."""
    from app.models import School

    slug = {"a": "alder", "b": "birch", "c": "cedar"}[key]
    return db.session.scalar(select(School.id).where(School.slug == slug))


def user_for(key: str):
    """The test world's user by key ("a.dsl", "trust.designated_trustee"), freshly loaded."""
    from app.models import User

    school, role = key.split(".", 1)
    email = f"{role}@trust.example.org" if school == "trust" else f"{key}@test.example.org"
    return db.session.scalar(select(User).where(User.email == email))


def queue_staff_prompt(world=None, user_key: str = "a.dsl", key: str = "prompt:1", urgent: bool = False,
                       school: str = "a") -> int:
    """Queue and commit one staff prompt in a school, as a change in that school would. Returns its id."""
    from app.services.notifications import queue_notification

    with school_scope(school_id(school)):
        user = user_for(user_key)
        n = queue_notification(
            dedupe_key=key, audience=Audience.STAFF, recipient_email=user.email, recipient_name=user.full_name,
            recipient_user=user, template="notice", urgent=urgent,
            context={"subject": "Welfare check due for a pupil", "paragraphs": ["Please call the provider."],
                     "school_name": "Alder School"},
            about_type="Pupil", about_id=7, about_label="Pupil P7",
        )
        db.session.commit()
        return n.id


def fresh_client(app):
    """A second browser in the same test. The test's app context outlives requests, so Flask-Login's cached
    user and Flask-WTF's CSRF token on `g` would otherwise follow into the new client's requests."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return app.test_client()


def received(sink) -> list[EmailMessage]:
    """What the SMTP sink kept, parsed with the modern email policy (headers unfolded, get_body())."""
    return [message_from_bytes(m.as_bytes(), policy=policy.default) for m in sink.messages]


def message_ids(sink) -> list[str]:
    return [m["Message-ID"] for m in sink.messages]


def explode_for_test():
    """A job that fails, for `flask jobs failed` and the queue health page."""
    raise RuntimeError("the test job failed on purpose")


# --- a real `flask jobs worker` in its own process -----------------------------------------------------------


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def descendants(self) -> list[int]:
        """Every process under the worker (RQ's work-horse puts itself in its own process group)."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            for child in children.get(pid, []):
                found.append(child)
                todo.append(child)
        return found

    def kill_hard(self) -> None:
        """SIGKILL the worker, its work-horse and its scheduler: no handler runs, nothing is cleaned up."""
        groups = {os.getpgid(self.process.pid)}
        for pid in self.descendants():
            try:
                groups.add(os.getpgid(pid))
            except ProcessLookupError:
                pass
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@pytest.fixture
def worker_process(app, database_url, redis_server, smtp_sink, tmp_path):
    """Start `flask jobs worker` as operators do, on the test database, Redis and SMTP sink."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        log_path = tmp_path / f"worker-{len(started)}.log"
        env = {**os.environ, "APHUB_ENV": "testing", "FLASK_APP": "wsgi", "TEST_DATABASE_URL": database_url,
               "TEST_REDIS_URL": redis_server.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port),
               "APHUB_INSTANCE_PATH": str(tmp_path), "PYTHONUNBUFFERED": "1"}
        log_file = open(log_path, "wb")
        process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "worker"],
                                   cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        log_file.close()
        worker = WorkerProcess(process, log_path)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.kill_hard()


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


# --- database faults ----------------------------------------------------------------------------------------


def terminate_database_connections(app) -> int:
    """What a PostgreSQL restart does to the app's connections: every other backend on the test database is
    ended (pooled, idle in a transaction or busy alike). Returns how many. On SQLite there is no server to
    restart: nothing is ended (callers check the held connections instead)."""
    from app.extensions import db

    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        return 0
    import psycopg

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return len(conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall())


def connections_in_use(app) -> int:
    """Connections of this process's pool checked out right now (a session holding one, in a transaction)."""
    from app.extensions import db

    with app.app_context():
        return db.engine.pool.checkedout()
