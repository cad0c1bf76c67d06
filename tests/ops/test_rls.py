"""The second tenancy wall (PostgreSQL only): row-level security under everything the ORM wall cannot see.

Raw SQL through the application's own connection and session, as a query written wrong would run: with no
scope it reads no school-owned row and writes none; in a school's scope it reads and writes only that
school's; the trust and system scopes see every school. The test role owns the tables, so these also prove
FORCE ROW LEVEL SECURITY (an owner is otherwise exempt)."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import ProgrammingError

from app.extensions import db
from app.models import Pupil
from tenants import school_scope, system_scope, trust_scope
from tenants.rls import database_role_problems, protected_tables
from tenants.scoping import _tenant_table_names
from tests.tenants.record_builders import build

INSERT_TRAINING_DAY = text(
    "INSERT INTO training_days (school_id, day, note, created_at, updated_at) "
    "VALUES (:school, DATE '2026-07-20', 'raw', now(), now())")


@pytest.fixture
def pupils(world):
    return {key: build(Pupil, world.schools[key].id, label="rls").id for key in ("a", "b")}


def _count(sql: str) -> int:
    return db.session.scalar(text(sql))


def test_every_school_owned_table_is_behind_the_policy(app):
    with db.engine.connect() as conn:
        # Tables the migrations made (a test may declare a tenant model of its own with no table).
        school_owned = _tenant_table_names() & set(inspect(conn).get_table_names())
        assert len(school_owned) >= 26
        assert protected_tables(conn) == school_owned


def test_no_scope_reads_no_school_owned_row(app, world, pupils):
    assert _count("SELECT count(*) FROM pupils") == 0
    assert _count(f"SELECT count(*) FROM pupils WHERE id = {int(pupils['a'])}") == 0
    with db.engine.connect() as conn:  # Core on the engine, past the session
        assert conn.scalar(text("SELECT count(*) FROM pupils")) == 0
    db.session.rollback()
    with system_scope("test: the rows are there"):
        assert _count("SELECT count(*) FROM pupils") == 2


@pytest.mark.parametrize("scope", ["none", "school a"])
def test_no_row_can_be_written_for_another_school(app, world, scope):
    entered = school_scope(world.a.id) if scope == "school a" else None
    if entered:
        entered.__enter__()
    try:
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(INSERT_TRAINING_DAY, {"school": world.b.id})
        db.session.rollback()
    finally:
        if entered:
            entered.__exit__(None, None, None)


def test_a_school_scope_reads_and_changes_only_its_own_rows(app, world, pupils):
    with school_scope(world.a.id):
        assert set(db.session.scalars(text("SELECT id FROM pupils"))) == {pupils["a"]}
        # Another school's row is not there to change or delete.
        assert db.session.execute(text("UPDATE pupils SET first_name = 'X' WHERE id = :id"),
                                  {"id": pupils["b"]}).rowcount == 0
        assert db.session.execute(text("DELETE FROM pupils WHERE id = :id"), {"id": pupils["b"]}).rowcount == 0
        # Nor can its own row be moved to another school.
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(text("UPDATE pupils SET school_id = :b WHERE id = :id"),
                               {"b": world.b.id, "id": pupils["a"]})
        db.session.rollback()
        db.session.execute(INSERT_TRAINING_DAY, {"school": world.a.id})
        db.session.commit()
    with system_scope("test"):
        assert _count("SELECT count(*) FROM pupils WHERE first_name = 'X'") == 0
        assert _count("SELECT count(*) FROM training_days") == 1


def test_the_trust_and_system_scopes_see_every_school(app, world, pupils):
    with trust_scope(world.users["trust.trust_safeguarding_lead"].id, "test: trust read"):
        assert _count("SELECT count(*) FROM pupils") == 2
    db.session.commit()
    with system_scope("test: system read"):
        assert _count("SELECT count(*) FROM pupils") == 2


def test_the_scope_follows_a_change_inside_one_transaction(app, world, pupils):
    """A request loads its user before it enters the school its URL names, in the same transaction."""
    assert _count("SELECT count(*) FROM users") > 0  # the transaction has begun, with no scope
    assert _count("SELECT count(*) FROM pupils") == 0
    with school_scope(world.b.id):
        assert set(db.session.scalars(text("SELECT id FROM pupils"))) == {pupils["b"]}
        savepoint = db.session.begin_nested()
        with school_scope(world.a.id):
            assert set(db.session.scalars(text("SELECT id FROM pupils"))) == {pupils["a"]}
        savepoint.rollback()  # undoes the settings made inside it: they are set again
        assert set(db.session.scalars(text("SELECT id FROM pupils"))) == {pupils["b"]}
    assert _count("SELECT count(*) FROM pupils") == 0


def test_a_pooled_connection_carries_no_school_into_the_next_transaction(app, world, pupils):
    with school_scope(world.a.id):
        assert _count("SELECT count(*) FROM pupils") == 1
        db.session.commit()
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT current_setting('app.current_school', true)")) in (None, "")
        assert conn.scalar(text("SELECT count(*) FROM pupils")) == 0


def test_the_production_check_refuses_the_table_owner(app):
    with db.engine.connect() as conn:
        problems = database_role_problems(conn)
    assert len(problems) == 1 and "owns" in problems[0]


def test_an_object_already_read_reloads_after_its_scope_ends_but_raw_sql_does_not(app, world, pupils):
    """The ORM wall's one allowance outside a school scope, a primary-key reload of what it already read, holds
    under row-level security too; nothing else does."""
    with school_scope(world.a.id):
        pupil = db.session.get(Pupil, pupils["a"])
        db.session.commit()  # expires it
    assert pupil.first_name  # reloaded, by primary key, with no scope
    assert _count("SELECT count(*) FROM pupils") == 0


def test_a_failed_statement_in_a_savepoint_rolls_back_cleanly(app, world):
    with school_scope(world.a.id):
        db.session.execute(INSERT_TRAINING_DAY, {"school": world.a.id})
        savepoint = db.session.begin_nested()
        with pytest.raises(Exception, match="uq_training_days_school_day"):
            db.session.execute(INSERT_TRAINING_DAY, {"school": world.a.id})
        savepoint.rollback()
        db.session.commit()
    with system_scope("test"):
        assert _count("SELECT count(*) FROM training_days") == 1
