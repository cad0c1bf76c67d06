"""Test fixtures: a real database built by the migrations, a real Redis, a real SMTP server on loopback.

The database is SQLite by default; set TEST_POSTGRES_URL (a server URL, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) to run the same tests on a fresh PostgreSQL database.
"""
from __future__ import annotations

import os

import freezegun
import pytest
from sqlalchemy import text

from tenants import system_scope
from tests.servers import RedisServer, SmtpSink, drop_the_databases_left, postgres_test_database

# Frozen time is for the code under test, never for pytest's own clock: without this, `--durations` and
# pytest-timeout read the frozen clock and report absurd figures for every frozen test.
freezegun.configure(extend_ignore_list=["_pytest", "pytest_timeout"])


def pytest_sessionfinish(session, exitstatus):
    drop_the_databases_left()  # the migration tests' own databases (tests/servers.drop_at_session_end)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session", autouse=True)
def _hash_each_test_password_once():
    """scrypt takes a fifth of a second a hash and every test world has twenty users sharing one password: hash
    each distinct password once per session (still real scrypt, one salt). Checking a password stays real."""
    import functools

    from app.models import people

    original = people.generate_password_hash
    people.generate_password_hash = functools.lru_cache(maxsize=None)(original)
    yield
    people.generate_password_hash = original


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    server = os.environ.get("TEST_POSTGRES_URL")
    if server:
        url, drop = postgres_test_database(server)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'aphub-test.sqlite3'}"


@pytest.fixture(scope="session")
def _app(database_url, redis_server, smtp_sink, tmp_path_factory):
    import flask_migrate

    from app import create_app
    from config import TestingConfig

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_server.url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_sink.port,
        MAIL_FOLDER=instance / "mail",
        UPLOAD_FOLDER=instance / "uploads",
        INSTANCE_PATH=instance,
    )
    with app.app_context():
        flask_migrate.upgrade()  # the schema comes only from the migrations
        from app.extensions import db

        wanted = "postgresql" if os.environ.get("TEST_POSTGRES_URL") else "sqlite"
        # A PostgreSQL run that silently fell back to SQLite would pass and prove nothing.
        assert db.engine.dialect.name == wanted, f"tests meant for {wanted} are running on {db.engine.dialect.name}"
    yield app
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


def _wipe(app) -> None:
    from app.extensions import db

    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _wipe_postgres(conn, tables)
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


def _wipe_postgres(conn, tables) -> None:
    """Empty every table and rewind every sequence, as `TRUNCATE ... RESTART IDENTITY` would, but cheaply.

    TRUNCATE of all 69 tables gives each table and index a new file, made and synced at commit: 0.2-2 s a test,
    about 400 s of the PostgreSQL run. A test fills a few tables with a few rows, so delete just those (children
    first) and reset just the sequences that moved. In the system scope: row-level security is forced on the
    school-owned tables, and outside any scope a DELETE would see none of their rows."""
    with system_scope("tests: empty the database after a test"):
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT FROM \"{t.name}\")" for t in tables)
        filled = set(conn.execute(text(probe)).scalars())
        for table in reversed(tables):
            if table.name in filled:
                conn.execute(table.delete())
        conn.execute(text("SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences "
                          "WHERE schemaname = current_schema() AND last_value IS NOT NULL"))


@pytest.fixture
def app(_app, redis_server, smtp_sink):
    """The app with an app context pushed; every table and Redis emptied after the test."""
    ctx = _app.app_context()
    ctx.push()
    try:
        yield _app
    finally:
        from app.extensions import db

        db.session.remove()
        _wipe(_app)
        if redis_server.running:
            import redis

            redis.Redis.from_url(redis_server.url).flushall()
        smtp_sink.clear()
        ctx.pop()


@pytest.fixture
def client(app):
    """A client whose every request gets its own app context, as in production (see helpers.fresh_client)."""
    from tests.helpers import fresh_client

    return fresh_client(app)


@pytest.fixture
def world(app):
    from tests.factories import build_world

    return build_world()
