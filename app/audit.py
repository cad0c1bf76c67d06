"""The audit trail, built once for every record (design invariant 7).

A session listener writes an `AuditEvent` for each create, change, archive and removal of an audited record,
in the same transaction as the change, with the before and after values. Cross-school reads by trust roles are
written when the trust scope is entered, in their own transaction, so a read that commits nothing is still
recorded. Audit events are append-only: changing or deleting one is refused.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import enum
from contextvars import ContextVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.clock import now
from app.models.audit import AuditEvent
from app.models.mixins import ArchivableMixin, AuditedMixin
from tenants import TenantScopedMixin
from tenants.context import Scope, on_trust_scope_entered


class AuditTrailError(RuntimeError):
    """Somebody tried to delete a record that must be archived, or to change the audit trail."""


_acting_user_id: ContextVar[int | None] = ContextVar("aphub_acting_user_id", default=None)


@contextlib.contextmanager
def acting_as(user_id: int | None):
    """Attribute changes made inside the block to this user (jobs act as nobody: None)."""
    token = _acting_user_id.set(user_id)
    try:
        yield
    finally:
        _acting_user_id.reset(token)


def set_acting_user(user_id: int | None):
    return _acting_user_id.set(user_id)


def reset_acting_user(token) -> None:
    _acting_user_id.reset(token)


def acting_user_id() -> int | None:
    return _acting_user_id.get()


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _columns(obj):
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    return [a for a in inspect(obj).mapper.column_attrs if a.key not in excluded]


def _snapshot(obj) -> dict:
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in _columns(obj)}


def _changes(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in _columns(obj):
        if attr.key in ("updated_at",):
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            before[attr.key] = _plain(history.deleted[0]) if history.deleted else None
            after[attr.key] = _plain(history.added[0]) if history.added else None
    return before, after


def _school_of(obj) -> int | None:
    if isinstance(obj, TenantScopedMixin):
        return obj.school_id
    return getattr(obj, "school_id", None)


def _row(obj, action: str, before: dict | None, after: dict | None) -> dict:
    return {
        "at": now(),
        "actor_id": _acting_user_id.get(),
        "school_id": _school_of(obj),
        "action": action,
        "record_type": type(obj).__name__,
        "record_id": str(inspect(obj).identity[0]) if inspect(obj).identity else None,
        "before": before,
        "after": after,
        "detail": None,
    }


def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailError("the audit trail is append-only")
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailError("the audit trail is append-only")
        if isinstance(obj, ArchivableMixin):
            raise AuditTrailError(f"{type(obj).__name__} records are archived, never deleted")
    # Snapshot what is being deleted now: after the flush its state is gone.
    pending = session.info.setdefault("aphub_audit_deleted", [])
    for obj in session.deleted:
        if isinstance(obj, AuditedMixin):
            pending.append(_row(obj, "delete", _snapshot(obj), None))
    changes = session.info.setdefault("aphub_audit_changes", [])
    for obj in session.dirty:
        if isinstance(obj, AuditedMixin) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if not after:
                continue
            action = "update"
            if isinstance(obj, ArchivableMixin) and "archived_at" in after:
                action = "archive" if after["archived_at"] else "restore"
            changes.append((obj, action, before, after))


def _after_flush(session: Session, flush_context) -> None:
    rows = session.info.pop("aphub_audit_deleted", [])
    for obj, action, before, after in session.info.pop("aphub_audit_changes", []):
        rows.append(_row(obj, action, before, after))
    for obj in session.new:
        if isinstance(obj, AuditedMixin):
            rows.append(_row(obj, "create", None, _snapshot(obj)))
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def _refuse_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEvent for m in state.all_mappers):
        raise AuditTrailError("the audit trail is append-only")


def record_event(session: Session, action: str, record_type: str, record_id=None, school_id=None, detail=None,
                 actor_id=None) -> None:
    """Write an event that is not a row change (a sign-in, a delivery failure retried by hand, ...)."""
    session.add(AuditEvent(
        at=now(), actor_id=actor_id if actor_id is not None else _acting_user_id.get(), school_id=school_id,
        action=action, record_type=record_type, record_id=None if record_id is None else str(record_id),
        detail=detail,
    ))


def install_audit(session_target, session_getter) -> None:
    event.listen(session_target, "before_flush", _before_flush)
    event.listen(session_target, "after_flush", _after_flush)
    event.listen(session_target, "do_orm_execute", _refuse_bulk_changes)

    def _trust_read(scope: Scope) -> None:
        # Committed at once, on entry, before anything is read: a read that writes nothing is still recorded.
        session = session_getter()
        session.add(AuditEvent(
            at=now(), actor_id=scope.actor_id, school_id=None, action="trust_read", record_type="Trust",
            detail=scope.reason[:500],
        ))
        session.commit()

    on_trust_scope_entered(_trust_read)
