"""The schema comes only from the migrations: one head, a straight line, models and migrations agree (column
types included), and the whole history goes down to nothing and up again.

Runs against a database of its own (SQLite, or a fresh PostgreSQL database when TEST_POSTGRES_URL is set), so
going down to base never disturbs the session's database.
"""
from __future__ import annotations

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Date, MetaData, String, inspect

from app.extensions import db
from tests import own_database
from tests.own_database import MIGRATIONS


@pytest.fixture(scope="module")
def scripts() -> ScriptDirectory:
    config = Config(f"{MIGRATIONS}/alembic.ini")
    config.set_main_option("script_location", MIGRATIONS)
    return ScriptDirectory.from_config(config)


@pytest.fixture(scope="module")
def migrated_app(tmp_path_factory, redis_server):
    """A second app on an empty database of the suite's kind, upgraded by the migrations alone."""
    yield from own_database.migrated_app(tmp_path_factory, redis_server, "migrations")


def _differences(app, metadata: MetaData) -> list:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def _user_tables(app) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_there_is_exactly_one_head_and_one_base(scripts):
    assert len(scripts.get_heads()) == 1, scripts.get_heads()
    assert len(scripts.get_bases()) == 1, scripts.get_bases()


def test_the_history_is_a_straight_line(scripts):
    revisions = list(scripts.walk_revisions())
    for revision in revisions:
        assert not isinstance(revision.down_revision, (tuple, list)), f"{revision.revision} is a merge"
        assert not revision.is_branch_point, f"{revision.revision} has two children"
    # Walking down from the head visits every revision once.
    assert [r.revision for r in revisions][-1] == scripts.get_bases()[0]
    assert len({r.revision for r in revisions}) == len(revisions)


def test_models_match_the_migrations(migrated_app):
    assert _differences(migrated_app, db.metadata) == []


def test_the_comparison_does_look_at_types(migrated_app):
    """Our column types (UTCDateTime, StoredEnum) are rendered as plain types in migrations: prove the clean
    comparison above is not clean merely because types are skipped or masked."""
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["users"].c.full_name.type = String(201)
    changed.tables["audit_events"].c.at.type = Date()
    changed.tables["users"].c.notification_preference.type = String(21)
    found = {(d[0][0], d[0][2], d[0][3]) for d in _differences(migrated_app, changed) if isinstance(d, list)}
    assert ("modify_type", "users", "full_name") in found
    assert ("modify_type", "audit_events", "at") in found
    assert ("modify_type", "users", "notification_preference") in found


def test_every_model_table_is_created_by_the_migrations(migrated_app):
    assert _user_tables(migrated_app) == set(db.metadata.tables)


def test_the_migrations_go_down_to_nothing_and_up_again(migrated_app):
    with migrated_app.app_context():
        flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert _user_tables(migrated_app) == set()
    with migrated_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    assert _user_tables(migrated_app) == set(db.metadata.tables)
    assert _differences(migrated_app, db.metadata) == []
