"""The embedded Redis stand-in that `scripts/run.sh` starts where redis-server is not installed."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue, Retry, SimpleWorker

from tests.servers import _wait_for_port, free_port


@pytest.fixture
def embedded_redis():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "jobs.embedded_redis", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        _wait_for_port(port)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)
        process.stdout.close()


def test_serves_redis_to_other_processes_and_says_where(embedded_redis):
    process, port = embedded_redis
    assert process.stdout.readline().strip().endswith(f"redis://127.0.0.1:{port}/0")
    conn = Redis(port=port)
    conn.set("aphub-check", "ok")
    assert Redis(port=port).get("aphub-check") == b"ok"
    # RQ's scheduler and unique jobs need Lua scripting (fakeredis[lua]).
    assert conn.eval("return redis.call('get', KEYS[1])", 1, "aphub-check") == b"ok"


def test_runs_rq_jobs_including_delayed_ones(embedded_redis):
    _, port = embedded_redis
    conn = Redis(port=port)
    queue = Queue("aphub-default", connection=conn)
    now_job = queue.enqueue("os.getcwd", retry=Retry(max=1))
    later_job = queue.enqueue_in(timedelta(seconds=1), "os.getpid")
    assert later_job.get_status() == "scheduled"
    time.sleep(1.2)
    SimpleWorker([queue], connection=conn).work(burst=True, with_scheduler=True)
    assert now_job.get_status(refresh=True) == "finished"
    assert later_job.get_status(refresh=True) == "finished"


def test_stops_promptly_on_sigterm_even_with_a_client_blocked(embedded_redis):
    process, port = embedded_redis
    blocked = Redis(port=port, socket_timeout=30)
    threading.Thread(target=lambda: _ignore_errors(blocked.blpop, ["aphub-nothing"], 20), daemon=True).start()
    time.sleep(0.3)  # let the BLPOP reach the server
    started = time.monotonic()
    process.terminate()
    assert process.wait(5) == 0
    assert time.monotonic() - started < 5


def _ignore_errors(func, *args):
    try:
        func(*args)
    except Exception:
        pass
