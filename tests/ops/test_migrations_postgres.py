"""Every migration, one at a time on PostgreSQL: upgrade, downgrade, upgrade again, and none of them rewrites or
long-locks a large table that already exists (tests/ops/migration_locks.py). PostgreSQL only: its locks are
what production lives with, and SQLite's batch mode recreates tables anyway."""
from __future__ import annotations

import os

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect

from app.extensions import db
from tests.ops.migration_locks import accepted, lock_problems
from tests.servers import drop_at_session_end, postgres_test_database
from tests.test_migrations import MIGRATIONS, scripts  # noqa: F401  (the fixture)


@pytest.fixture
def empty_app(redis_server):
    from app import create_app
    from config import TestingConfig

    url, drop = postgres_test_database(os.environ["TEST_POSTGRES_URL"])
    # The test Redis, not the default: the throttles' limiter is one per process and takes the Redis of the
    # last app made, so an app on 127.0.0.1:6379 would leave every later test's throttle counting nowhere.
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, REDIS_URL=redis_server.url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop_at_session_end(drop)


def test_each_migration_goes_up_down_and_up_without_stopping_a_large_table(empty_app, scripts):  # noqa: F811
    revisions = [r for r in scripts.walk_revisions()][::-1]  # base first
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    problems, steps, seen = [], [], []
    with empty_app.app_context():
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            for revision in revisions:
                existing = set(inspect(db.engine).get_table_names())
                statements.clear()
                flask_migrate.upgrade(directory=str(MIGRATIONS), revision=revision.revision)
                problems += [f"{revision.revision}: {p}" for s in statements for p in lock_problems(s, existing)
                             if not accepted(revision.revision, s)]
                seen += statements
                flask_migrate.downgrade(directory=str(MIGRATIONS), revision=revision.down_revision or "base")
                assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} \
                    == existing - {"alembic_version"}, f"{revision.revision} did not go back down cleanly"
                flask_migrate.upgrade(directory=str(MIGRATIONS), revision=revision.revision)
                steps.append(revision.revision)
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
    assert steps == [r.revision for r in revisions] and len(steps) >= 4
    # The check did read every migration's SQL: the tables of the first and the policies of 0009 among it.
    assert any(s.lstrip().startswith("CREATE TABLE") for s in seen)
    assert any("CREATE POLICY aphub_tenant" in s for s in seen)
    assert problems == []
