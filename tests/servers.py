"""Real servers for the tests, on loopback: Redis (redis-server), SMTP (aiosmtpd), PostgreSQL databases.

Each test session starts its own Redis on a free port, so parallel runs never share state and the fault
tests can stop and restart it.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class RedisServer:
    """A real redis-server process that tests may stop and start again on the same port."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `apt-get install redis-server` (see .ci/run)")
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="aphub-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it accepts. `refuse` makes it answer 451."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)
    refuse: bool = False
    refuse_code: str | None = None  # what `refuse` answers; None: "451 4.3.0 try again later"
    refuse_next: int = 0  # answer 451 to this many of the next messages, then accept again
    # Seconds to wait after keeping a message before answering 250: the server has it, the client does not
    # know yet (the window in which a killed worker leaves a sent message unrecorded).
    delay: float = 0.0
    # Called (in a thread) after keeping a message and before answering: a fault injected exactly there.
    on_data: object = None
    # The server dies mid-DATA, before keeping the message or answering: the client sees the connection drop.
    crash: bool = False
    _controller: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        if self.refuse:
            return self.refuse_code or "451 4.3.0 try again later"
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        if self.crash:
            server.transport.abort()
            return "421 4.3.0 crashed"  # never reaches the client: the connection is gone
        msg = message_from_bytes(envelope.content)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(msg)
        if self.on_data is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.on_data)
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
        self.refuse = False
        self.refuse_code = None
        self.refuse_next = 0
        self.delay = 0.0
        self.on_data = None
        self.crash = False

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


def postgres_test_database(server_url: str) -> tuple[str, callable]:
    """Create a fresh database on the server named by TEST_POSTGRES_URL; return its URL and a dropper."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"aphub_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


# Databases the tests are done with, dropped when the session ends (tests/conftest.py pytest_sessionfinish).
_drop_later: list = []


def drop_at_session_end(drop) -> None:
    """Drop a database after the last test rather than now. DROP DATABASE makes PostgreSQL take a checkpoint and
    wait for it, writing out every page the suite has changed so far: 5-15 s mid-run. At the end the first drop's
    checkpoint leaves the others almost nothing to write. (Not for a database a role must outlive: the role's
    grants in it would stop DROP ROLE.)"""
    _drop_later.append(drop)


def drop_the_databases_left() -> None:
    while _drop_later:
        _drop_later.pop()()
