"""The Procfile as production runs it (PostgreSQL only): the release step migrates as the tables' owner, then
honcho starts web (gunicorn with deploy/gunicorn.conf.py), both workers and cron in production settings, as an
application role that owns nothing, on PostgreSQL and Redis; a person signs in through the TLS proxy's headers.
And the serving processes refuse to start as the tables' owner."""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.ops.browser import Browser
from tests.servers import free_port, postgres_test_database

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
METRICS_TOKEN = secrets.token_hex(24)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line and not line.startswith("#"))


@pytest.fixture
def production(redis_server, smtp_sink, tmp_path):
    """A fresh database owned by the test role, an application role that owns nothing, production settings."""
    owner_url, drop = postgres_test_database(os.environ["TEST_POSTGRES_URL"])
    owner = make_url(owner_url)
    role, password = f"aphub_app_{secrets.token_hex(4)}", secrets.token_hex(16)
    admin_dsn = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    app_url = owner.set(username=role, password=password).render_as_string(hide_password=False)
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "APHUB_"))},
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "APHUB_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": app_url,
        "MIGRATION_DATABASE_URL": owner_url,
        "REDIS_URL": redis_server.url,
        "RQ_QUEUE_PREFIX": f"smoke{secrets.token_hex(3)}",
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port),
        "BASE_URL": "https://aphub.example.org",
        "METRICS_TOKEN": METRICS_TOKEN,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "APHUB_INSTANCE_PATH": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    yield {"env": env, "port": port, "role": role, "owner_url": owner_url}
    drop()
    with psycopg.connect(admin_dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")


def run(command: str, env: dict, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env={**env, **extra}, capture_output=True, text=True,
                          timeout=180)


def wait_ready(browser: Browser, honcho: subprocess.Popen, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        assert honcho.poll() is None, "the process set stopped by itself"
        try:
            status, _, body = browser.request("/readyz")
            last = (status, body)
            if status == 200:
                return json.loads(body)
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            last = error
        time.sleep(0.5)
    raise AssertionError(f"not ready after {timeout}s: {last}")


@pytest.mark.slow
def test_the_procfile_runs_in_production_settings_and_a_person_signs_in(production, tmp_path):
    env, lines = production["env"], procfile()
    assert set(lines) == {"release", "web", "mail", "worker", "cron"}
    assert "--simple" in lines["mail"] and "gunicorn --config deploy/gunicorn.conf.py" in lines["web"]

    released = run(lines["release"], env)
    assert released.returncode == 0, released.stderr[-3000:]
    granted = run(f"flask --app app ops grant-app-role {production['role']}", env,
                  DATABASE_URL=production["owner_url"])
    assert granted.returncode == 0, granted.stderr[-3000:]
    seeded = run("flask --app app demo seed", env, DATABASE_URL=production["owner_url"])
    assert seeded.returncode == 0, seeded.stderr[-3000:]

    # As the tables' owner, the serving processes refuse to start.
    refused = run("flask --app wsgi jobs queues", env, DATABASE_URL=production["owner_url"])
    assert refused.returncode != 0 and "Production refuses to start" in refused.stderr

    log = (tmp_path / "honcho.log").open("w")
    honcho = subprocess.Popen([str(VENV_BIN / "honcho"), "--procfile", "Procfile", "start", "web", "mail", "worker",
                               "cron"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        browser = Browser(production["port"])
        ready = wait_ready(browser, honcho)
        assert ready["checks"] == {"database": "ok", "redis": "ok", "migrations": "ok"}
        status, _, page = browser.request("/sign-in")
        assert status == 200
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        # An attendance officer: two-factor sign-in is optional for the role (the AP leader would be sent to
        # set it up first, as production requires of everyone who sees safeguarding detail).
        status, headers, _ = browser.request("/sign-in", {"email": "attendance.infant@ashbrook.example.org",
                                                          "password": "demo-password-1", "csrf_token": token})
        assert status == 302, "sign-in refused"
        session_cookie = next(h for h in [headers.get("Set-Cookie", "")] if "session=" in h)
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie  # https as the proxy said
        status, headers, page = browser.request("/")
        if status == 302:  # a person with one school goes straight to it
            status, _, page = browser.request(urlsplit(headers["Location"]).path)
        assert status == 200 and "Ashbrook" in page
        # Both workers have registered with Redis, and /metrics opens with the token alone.
        deadline = time.monotonic() + 30
        while True:
            status, _, metrics = browser.request("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
            assert status == 200
            if "aphub_workers_live 2.0" in metrics or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert "aphub_workers_live 2.0" in metrics
        assert 'aphub_request_duration_seconds_count{method="POST",route="/sign-in",status="302"}' in metrics
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
        log.close()
    output = (tmp_path / "honcho.log").read_text()
    # Every process came up, and the web's request log is JSON carrying the request id.
    for name in ("web.1", "mail.1", "worker.1", "cron.1"):
        assert f"{name} " in output or f"{name}  " in output or f"{name} |" in output, output[-3000:]
    access = [line.split("| ", 1)[1] for line in output.splitlines()
              if "| {" in line and '"aphub.access"' in line]
    # raw_decode: two processes' lines can meet on one line of honcho's log; the first object is whole.
    assert access and all(json.JSONDecoder().raw_decode(entry)[0]["request_id"] for entry in access)
    # The workers' own lines (RQ's) go through the same JSON handler.
    worker_lines = [line.split("| ", 1)[1] for line in output.splitlines()
                    if line.split("| ", 1)[0].strip().endswith(("mail.1", "worker.1")) and "| {" in line]
    assert any(json.JSONDecoder().raw_decode(entry)[0]["logger"].startswith("rq.") for entry in worker_lines), output[-3000:]
