"""The audit trail (design invariant 7): who changed what, when, before and after; append-only; archive, never
delete; credentials never copied into it; read in the admin by the designated trustee only."""
from __future__ import annotations

import json

import pytest
from flask import url_for
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.audit import AuditTrailError, acting_as
from app.clock import now
from app.extensions import db
from app.models import AuditEvent, LAContact, LAContactKind, LocalAuthority, School, SchoolRole, Task, User
from app.roles import SchoolRoleName
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, sign_in


def _events(**where) -> list[AuditEvent]:
    db.session.expire_all()
    statement = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        statement = statement.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(statement))


@pytest.fixture
def trustee(world) -> User:
    return world.users["trust.designated_trustee"]


def test_creating_a_record_is_recorded_with_its_values_and_actor(world, trustee):
    with acting_as(trustee.id), system_scope("test"):
        la = LocalAuthority(name="Newshire Council", code="998")
        db.session.add(la)
        db.session.commit()
        la_id = la.id
    [event] = _events(record_type="LocalAuthority", action="create", record_id=str(la_id))
    assert event.actor_id == trustee.id
    assert event.before is None
    assert event.after["name"] == "Newshire Council" and event.after["code"] == "998"
    assert event.at is not None


def test_a_change_records_before_and_after_even_when_the_record_was_expired(world, trustee):
    contact = world.la.contact(LAContactKind.VIRTUAL_SCHOOL_HEAD)
    contact_id = contact.id
    db.session.commit()  # expires it: the session no longer holds the old values
    with acting_as(trustee.id):
        contact.name = "Valerie Newhead"
        contact.phone = "01632 960999"
        db.session.commit()
    [event] = _events(record_type="LAContact", action="update", record_id=str(contact_id))
    assert event.before == {"name": "Vivian Head", "phone": "01632 960900"}
    assert event.after == {"name": "Valerie Newhead", "phone": "01632 960999"}
    assert event.actor_id == trustee.id


def test_archiving_and_restoring_are_recorded_as_such(world, trustee):
    contact = world.la.contact(LAContactKind.SEND)
    with acting_as(trustee.id):
        contact.archived_at = now()
        contact.archived_by_id = trustee.id
        db.session.commit()
        contact.archived_at = None
        db.session.commit()
    archive, restore = _events(record_type="LAContact", record_id=str(contact.id))[-2:]
    assert archive.action == "archive" and archive.before["archived_at"] is None and archive.after["archived_at"]
    assert archive.after["archived_by_id"] == trustee.id
    assert restore.action == "restore" and restore.after == {"archived_at": None}


def test_deleting_a_record_keeps_what_it_was(world, trustee):
    role = world.users["b.staff"].school_roles[0]
    role_id, user_id, school_id = role.id, role.user_id, role.school_id
    with acting_as(trustee.id):
        db.session.delete(role)
        db.session.commit()
    [event] = _events(record_type="SchoolRole", action="delete")
    assert event.record_id == str(role_id)
    assert event.before["role"] == "staff"
    assert (event.before["user_id"], event.before["school_id"]) == (user_id, school_id)
    assert event.after is None and event.actor_id == trustee.id


def test_a_school_owned_record_is_recorded_against_its_school(world):
    b = world.b.id
    with school_scope(b):
        task = Task(kind="test", title="Call the provider", due_at=now(), dedupe_key="call")
        db.session.add(task)
        db.session.commit()
        task_id = task.id
    [event] = _events(record_type="Task", action="create")
    assert (event.school_id, event.record_id, event.after["title"]) == (b, str(task_id), "Call the provider")


def test_password_hashes_and_session_tokens_never_reach_the_trail(world, trustee):
    with acting_as(trustee.id), system_scope("test"):
        user = User(email="new.person@test.example.org", full_name="New Person")
        user.set_password("a-first-password-123")
        db.session.add(user)
        db.session.commit()
        user.set_password("a-second-password-456")
        user.rotate_session_token()
        db.session.commit()
        secrets = {user.password_hash, user.session_token}
    events = _events(record_type="User", record_id=str(user.id))
    assert [e.action for e in events] == ["create"]  # only secrets changed: nothing to show
    trail = json.dumps([[e.before, e.after, e.detail] for e in _events()])
    assert "password_hash" not in trail and "session_token" not in trail
    assert not any(secret in trail for secret in secrets)
    assert "new.person@test.example.org" in trail  # the trail itself was written


def test_a_failed_flush_leaves_no_ghost_events(world, trustee):
    vsh = world.la.contact(LAContactKind.VIRTUAL_SCHOOL_HEAD)
    send = world.la.contact(LAContactKind.SEND)
    with acting_as(trustee.id), system_scope("test"):
        vsh.name = "Never saved"
        db.session.add(LocalAuthority(name=world.la.name))  # the name is unique: this flush fails
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        send.name = "Saved"
        db.session.commit()
    updates = _events(record_type="LAContact", action="update")
    assert [e.after for e in updates] == [{"name": "Saved"}]


# --- archive, never delete; the trail is append-only ---------------------------------------------------------


def test_deleting_an_archivable_record_is_refused(world):
    with pytest.raises(AuditTrailError, match="archived, never deleted"):
        db.session.delete(world.users["a.staff"])
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTrailError, match="archived, never deleted"):
        db.session.execute(delete(LAContact).where(LAContact.name == "SEND Team"))
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.email == "a.staff@test.example.org")) is not None


def test_bulk_changes_to_audited_records_are_refused(world):
    with pytest.raises(AuditTrailError, match="no audit trail"):
        db.session.execute(update(School).values(attendance_cutoff_minutes=45))
    with pytest.raises(AuditTrailError, match="no audit trail"):
        db.session.execute(delete(SchoolRole).where(SchoolRole.role == SchoolRoleName.STAFF))
    db.session.rollback()


@pytest.fixture
def an_event(world) -> AuditEvent:
    return _events()[0]


def test_an_audit_event_cannot_be_changed(an_event):
    an_event.detail = "rewritten"
    with pytest.raises(AuditTrailError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_an_audit_event_cannot_be_deleted(an_event):
    db.session.delete(an_event)
    with pytest.raises(AuditTrailError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", [
    pytest.param(lambda: update(AuditEvent).values(detail="rewritten"), id="ORM bulk update"),
    pytest.param(lambda: delete(AuditEvent), id="ORM bulk delete"),
    pytest.param(lambda: AuditEvent.__table__.update().values(detail="rewritten"), id="Core update"),
    pytest.param(lambda: AuditEvent.__table__.delete(), id="Core delete"),
])
def test_bulk_changes_to_the_trail_are_refused(an_event, statement):
    count = len(_events())
    with pytest.raises(AuditTrailError, match="append-only"):
        db.session.execute(statement())
    db.session.rollback()
    assert len(_events()) == count and _events()[0].detail == an_event.detail


# --- reading it: the designated trustee, in the admin --------------------------------------------------------


def _admin_url(app, endpoint: str, **values) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_the_trustee_reads_the_trail_in_the_admin(app, world, trustee):
    client = fresh_client(app)
    sign_in(client, trustee)
    page = client.get(_admin_url(app, "admin_audit.index_view"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "sign_in" in text and "trust_read" in text  # the trustee's own sign-in and this very read
    first = _events()[0]
    details = client.get(_admin_url(app, "admin_audit.details_view", id=first.id))
    assert details.status_code == 200 and first.record_type in details.get_data(as_text=True)


@pytest.mark.parametrize("who", ["trust.trust_safeguarding_lead", "trust.trust_send_lead", "a.ap_leader",
                                 "a.headteacher", "none"])
def test_nobody_else_reads_the_trail(app, world, who):
    client = fresh_client(app)
    sign_in(client, world.users[who])
    assert client.get(_admin_url(app, "admin_audit.index_view")).status_code == 403


def test_signed_out_the_trail_sends_to_sign_in(app, world):
    response = fresh_client(app).get(_admin_url(app, "admin_audit.index_view"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_the_trail_cannot_be_edited_or_deleted_through_the_admin(app, world, trustee):
    client = fresh_client(app)
    sign_in(client, trustee)
    event = _events()[0]
    list_url = _admin_url(app, "admin_audit.index_view")
    response = post_form(client, _admin_url(app, "admin_audit.delete_view"), {"id": event.id, "url": list_url},
                         form_url="/account/")  # any page's token: it belongs to the session
    assert response.status_code in (302, 404)
    assert client.get(_admin_url(app, "admin_audit.edit_view", id=event.id)).status_code in (302, 404)
    assert _events(id=event.id)[0].detail == event.detail


def test_a_change_made_in_the_admin_is_recorded_with_the_trustee_as_actor(app, world, trustee):
    client = fresh_client(app)
    sign_in(client, trustee)
    person = world.users["b.dsl"]
    edit_url = _admin_url(app, "admin_user.edit_view", id=person.id)
    response = post_form(client, edit_url, {"full_name": "B Renamed DSL", "email": person.email, "phone": "",
                                            "is_enabled": "y", "notification_preference": "immediate"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [event] = _events(record_type="User", action="update", record_id=str(person.id))
    assert event.actor_id == trustee.id
    assert event.before["full_name"] == "B Designated Safeguarding Lead (DSL)"
    assert event.after["full_name"] == "B Renamed DSL"
    reads = _events(action="trust_read", actor_id=trustee.id)
    assert any(f"POST {edit_url.split('?')[0]}" in r.detail for r in reads)
