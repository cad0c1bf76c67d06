"""The tenancy kernel: every ORM read and write of a tenant-owned record is held to the current school.

Design invariants 1 and 2: another school's rows are invisible in a school scope (select, get, relationship
loads, bulk update and delete), a query with no scope at all refuses to run, new rows take the current school,
a flush never writes another school's row, and the trust scope (trust roles only) is recorded.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import template_rendered
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, delete, exists, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, mapped_column, relationship, selectinload

from app.audit import acting_as
from app.clock import now
from app.extensions import db
from app.models import AuditEvent, Notification, School, Task, User
from tenants import TenantScopedMixin, TenantScopeError, current_scope, school_scope, system_scope, trust_scope
from tenants.context import ScopeKind
from tests.helpers import fresh_client, sign_in


# A shared (trust-level) record with school-owned children, as the provider register will have placements.
# Test-only models on their own base, so the app's metadata (and the models-match-migrations test) is untouched.
class _TestBase(DeclarativeBase):
    metadata = MetaData()


Table("schools", _TestBase.metadata, Column("id", Integer, primary_key=True))  # what the children point at


class Shelf(_TestBase):
    __tablename__ = "test_scoping_shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    items: Mapped[list[ShelfItem]] = relationship(order_by="ShelfItem.id")


class ShelfItem(TenantScopedMixin, _TestBase):
    __tablename__ = "test_scoping_shelf_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("test_scoping_shelves.id"))
    label: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def shelf(world):
    """One shared shelf holding an item of school A and an item of school B."""
    tables = [Shelf.__table__, ShelfItem.__table__]
    _TestBase.metadata.create_all(db.engine, tables=tables)
    try:
        with system_scope("test: shared shelf"):
            shelf = Shelf(name="shared")
            db.session.add(shelf)
            db.session.flush()
            db.session.add_all([ShelfItem(shelf_id=shelf.id, label="item of A", school_id=world.a.id),
                                ShelfItem(shelf_id=shelf.id, label="item of B", school_id=world.b.id)])
            db.session.commit()
            shelf_id = shelf.id
        yield shelf_id
    finally:
        db.session.remove()
        _TestBase.metadata.drop_all(db.engine, tables=tables)


def _task(school_id: int, title: str) -> int:
    with school_scope(school_id):
        task = Task(kind="test", title=title, due_at=now() + timedelta(days=1), dedupe_key=title)
        db.session.add(task)
        db.session.commit()
        return task.id


def _notification(school_id: int, subject: str) -> Notification:
    return Notification(school_id=school_id, dedupe_key=subject, audience="staff", recipient_email="x@test.example.org",
                        template="test", subject=subject, body_text=subject, message_id=f"<{subject}@test.example.org>")


@pytest.fixture
def tasks(world):
    """Two tasks in school A and one in school B (each stays in the test's identity map, expired)."""
    return {"a1": _task(world.a.id, "A first"), "a2": _task(world.a.id, "A second"), "b": _task(world.b.id, "B only")}


# --- reads ---------------------------------------------------------------------------------------------------


def test_select_in_a_school_scope_returns_only_that_schools_rows(world, tasks):
    with school_scope(world.a.id):
        assert sorted(db.session.scalars(select(Task.title))) == ["A first", "A second"]
        assert db.session.scalar(select(func.count()).select_from(Task)) == 2
        assert db.session.query(Task).count() == 2  # the legacy Query API too
    with school_scope(world.b.id):
        assert list(db.session.scalars(select(Task.title))) == ["B only"]


def test_joins_and_subqueries_are_scoped_too(world, tasks):
    with school_scope(world.a.id):
        titles = db.session.scalars(select(Task.title).where(exists(select(Task.id).where(Task.title == "B only"))))
        assert list(titles) == []  # B's task is invisible inside the EXISTS as well
        joined = db.session.scalars(select(School.name).join(Task, Task.school_id == School.id).distinct())
        assert list(joined) == ["Alder School"]


def test_get_by_id_of_another_schools_record_finds_nothing(world, tasks):
    with school_scope(world.a.id):
        assert db.session.get(Task, tasks["b"]) is None
        assert db.session.get(Task, tasks["a1"]).title == "A first"


def test_another_schools_object_left_in_the_identity_map_does_not_come_back(world, tasks):
    with school_scope(world.b.id):
        b_task = db.session.get(Task, tasks["b"])
        assert b_task.title == "B only"
    with school_scope(world.a.id):
        db.session.expire_all()  # what entering a school does on every request
        assert db.session.get(Task, tasks["b"]) is None


def test_relationship_loads_of_a_shared_record_show_only_the_schools_children(world, shelf):
    for load in (None, selectinload(Shelf.items), joinedload(Shelf.items)):
        with school_scope(world.a.id):
            statement = select(Shelf) if load is None else select(Shelf).options(load)
            loaded = db.session.scalars(statement).unique().one()
            assert [item.label for item in loaded.items] == ["item of A"], load
        db.session.expire_all()
    with system_scope("test: both schools"):
        assert [item.label for item in db.session.get(Shelf, shelf).items] == ["item of A", "item of B"]


# --- bulk writes ---------------------------------------------------------------------------------------------


@pytest.fixture
def notifications(world):
    with system_scope("test: outbox rows of two schools"):
        db.session.add_all([_notification(world.a.id, "for A"), _notification(world.b.id, "for B")])
        db.session.commit()


def _subjects() -> dict[str, str]:
    with system_scope("test: read back"):
        return {n.dedupe_key: n.subject for n in db.session.scalars(select(Notification))}


def test_orm_update_changes_only_the_current_schools_rows(world, notifications):
    with school_scope(world.a.id):
        result = db.session.execute(update(Notification).values(subject="changed"))
        db.session.commit()
    assert result.rowcount == 1
    assert _subjects() == {"for A": "changed", "for B": "for B"}


def test_orm_delete_removes_only_the_current_schools_rows(world, notifications):
    with school_scope(world.b.id):
        db.session.execute(delete(Notification))
        db.session.commit()
    assert _subjects() == {"for A": "for A"}


# --- no scope: fail closed -----------------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    pytest.param(lambda: select(Task), id="select"),
    pytest.param(lambda: select(func.count()).select_from(Task), id="count via select_from"),
    pytest.param(lambda: select(User).join(Task, Task.assigned_user_id == User.id), id="join"),
    pytest.param(lambda: select(School).where(exists().where(Task.school_id == School.id)), id="exists"),
    pytest.param(lambda: update(Notification).values(subject="x"), id="bulk update"),
    pytest.param(lambda: delete(Notification), id="bulk delete"),
])
def test_a_tenant_owned_query_with_no_scope_raises(world, tasks, statement):
    assert current_scope() is None
    with pytest.raises(TenantScopeError, match="no school scope"):
        db.session.execute(statement())


def test_get_by_id_with_no_scope_raises(world, tasks):
    with pytest.raises(TenantScopeError):
        db.session.get(Task, tasks["a1"])


def test_trust_level_records_need_no_scope(world):
    assert "Birch School" in db.session.scalars(select(School.name)).all()


# --- creating and flushing -----------------------------------------------------------------------------------


def test_a_new_row_takes_the_current_school(world):
    with school_scope(world.b.id):
        task = Task(kind="test", title="stamped", due_at=now(), dedupe_key="stamped")
        assert task.school_id == world.b.id
        db.session.add(task)
        db.session.commit()
    with system_scope("test: read back"):
        assert db.session.scalar(select(Task.school_id).where(Task.title == "stamped")) == world.b.id


def test_creating_a_row_for_another_school_inside_a_school_scope_raises(world):
    a, b = world.a.id, world.b.id
    with school_scope(a):
        with pytest.raises(TenantScopeError, match=f"school {b} inside the scope of school {a}"):
            Task(kind="test", title="smuggled", due_at=now(), dedupe_key="smuggled", school_id=b)


def test_creating_a_school_owned_row_with_no_scope_and_no_school_raises(world):
    with pytest.raises(TenantScopeError, match="without a school scope"):
        Task(kind="test", title="orphan", due_at=now(), dedupe_key="orphan")


def test_a_flush_of_a_row_made_for_another_school_raises(world):
    with system_scope("test: a row for school B"):
        smuggled = Task(kind="test", title="made for B", due_at=now(), dedupe_key="made-for-b", school_id=world.b.id)
    with school_scope(world.a.id):
        db.session.add(smuggled)
        with pytest.raises(TenantScopeError, match="refusing to write Task"):
            db.session.flush()
    db.session.rollback()


def test_a_flush_moving_a_row_to_another_school_raises(world, tasks):
    with school_scope(world.a.id):
        task = db.session.get(Task, tasks["a1"])
        task.school_id = world.b.id
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()


def test_a_flush_taking_another_schools_row_into_this_school_raises(world, tasks):
    with system_scope("test: holding B's task"):
        b_task = db.session.get(Task, tasks["b"])
        assert b_task.title == "B only"
    a, b = world.a.id, world.b.id
    with school_scope(a):
        b_task.school_id = a
        with pytest.raises(TenantScopeError, match=f"of school {b} inside the scope of school {a}"):
            db.session.flush()
    db.session.rollback()


def test_a_flush_deleting_another_schools_row_raises(world, tasks):
    with system_scope("test: holding B's task"):
        b_task = db.session.get(Task, tasks["b"])
        assert b_task.title == "B only"
    with school_scope(world.a.id):
        db.session.delete(b_task)
        with pytest.raises(TenantScopeError):
            db.session.flush()
    db.session.rollback()
    with system_scope("test: read back"):
        assert db.session.get(Task, tasks["b"]) is not None


# --- the trust scope -----------------------------------------------------------------------------------------


def _trust_reads() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "trust_read")))


def test_the_trust_scope_sees_every_school_and_is_recorded(world, tasks):
    lead = world.users["trust.trust_safeguarding_lead"]
    with trust_scope(lead.id, "test: every school's tasks"):
        assert sorted(db.session.scalars(select(Task.title))) == ["A first", "A second", "B only"]
        assert current_scope().kind is ScopeKind.TRUST
    [read] = _trust_reads()
    assert (read.actor_id, read.detail) == (lead.id, "test: every school's tasks")


def test_the_read_is_recorded_even_when_the_caller_rolls_back(world):
    lead_id = world.users["trust.trust_send_lead"].id
    with trust_scope(lead_id, "test: a read that writes nothing"):
        db.session.rollback()
    assert [r.actor_id for r in _trust_reads()] == [lead_id]


@pytest.mark.parametrize("who", ["a.ap_leader", "a.headteacher", "none"])
def test_only_trust_roles_enter_the_trust_scope(world, who):
    with pytest.raises(TenantScopeError, match="only a trust role holder"):
        with trust_scope(world.users[who].id, "test: not allowed"):
            pytest.fail("entered the trust scope")
    assert current_scope() is None


def test_a_disabled_trust_role_holder_cannot_enter_the_trust_scope(world):
    trustee = world.users["trust.designated_trustee"]
    trustee.is_enabled = False
    db.session.commit()
    with pytest.raises(TenantScopeError):
        with trust_scope(trustee.id, "test: disabled"):
            pass


def test_the_trust_scope_needs_an_actor_and_a_reason(world):
    with pytest.raises(TenantScopeError):
        with trust_scope(None, "test: nobody"):
            pass
    with pytest.raises(TenantScopeError, match="say why"):
        with trust_scope(world.users["trust.designated_trustee"].id, ""):
            pass


def test_entering_the_trust_scope_never_commits_half_done_work(world):
    with acting_as(None), system_scope("test: half-done work"):
        db.session.add(_notification(world.a.id, "half done"))
        db.session.flush()
    with pytest.raises(TenantScopeError, match="before changing anything"):
        with trust_scope(world.users["trust.designated_trustee"].id, "test: too late"):
            pass
    db.session.rollback()
    assert _subjects() == {}
    assert _trust_reads() == []


def test_scopes_refuse_nonsense(world):
    with pytest.raises(TenantScopeError):
        school_scope(None)
    with pytest.raises(TenantScopeError):
        school_scope(True)
    with pytest.raises(TenantScopeError):
        system_scope("")


# --- requests ------------------------------------------------------------------------------------------------


@pytest.fixture
def scopes_seen_by_templates(app):
    """The tenant scope in force while each page was rendered, and the school the page was for."""
    seen: list[tuple] = []

    def record(sender, template, context, **extra):
        scope = current_scope()
        school = context.get("current_school")
        seen.append((scope.kind if scope else None, scope.school_id if scope else None,
                     school.id if school is not None else None))

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


@pytest.mark.parametrize("make_client", [fresh_client, lambda app: app.test_client()],
                         ids=["context per request", "test client as is"])
def test_the_scope_does_not_leak_from_one_request_to_the_next(app, world, scopes_seen_by_templates, make_client):
    client = make_client(app)
    leader = world.users["ac.ap_leader"]  # AP leader of schools A and C
    assert sign_in(client, leader).status_code == 302
    a, c = world.a.id, world.schools["c"].id

    first = client.get("/alder/")
    assert current_scope() is None
    second = client.get("/cedar/")
    assert current_scope() is None
    outside = client.get("/account/")
    assert current_scope() is None
    refused = client.get("/birch/")
    assert current_scope() is None

    assert first.status_code == second.status_code == outside.status_code == 200
    assert refused.status_code == 404
    assert "Alder School" in first.get_data(as_text=True) and "Cedar" not in first.get_data(as_text=True)
    assert "Cedar Infant School" in second.get_data(as_text=True) and "Alder" not in second.get_data(as_text=True)
    # (scope kind, scope school, page's school) for each rendered page, in order.
    dashboard_a, dashboard_c, account, not_found = scopes_seen_by_templates[-4:]
    assert dashboard_a == (ScopeKind.SCHOOL, a, a)
    assert dashboard_c == (ScopeKind.SCHOOL, c, c)
    assert account[:2] == (None, None)
    assert not_found[:2] == (None, None)
