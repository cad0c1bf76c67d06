"""An app on a database of its own, built by the migrations alone: for the tests that take the migrations down
and up again, which must never disturb the session's database (tests/conftest.py `_app`)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import flask_migrate

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.servers import drop_at_session_end, postgres_test_database

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def migrated_app(tmp_path_factory, redis_server, name: str) -> Iterator:
    """Yield an app on an empty database of the suite's kind (SQLite, or a fresh PostgreSQL database when
    TEST_POSTGRES_URL is set) upgraded to the head; dispose of its connections afterwards, and drop it when
    the session ends.
    For a module-scoped fixture: `yield from migrated_app(tmp_path_factory, redis_server, "verdicts")`."""
    server = os.environ.get("TEST_POSTGRES_URL")
    if server:
        url, drop = postgres_test_database(server)
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite3'}", None
    # The test Redis: the throttles' limiter is one per process and follows the last app made.
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_server.url)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if drop:
        drop_at_session_end(drop)
