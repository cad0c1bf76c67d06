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

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from app.clock import now
from app.models import User
from app.models.audit import AuditEvent
from app.models.mixins import ArchivableMixin, AuditedMixin
from app.permissions import may_read_across_schools
from tenants import TenantScopedMixin
from tenants.context import Scope, TenantScopeError, on_trust_scope_entered

# Credentials are never copied into the trail, whichever model holds them: the trail is read by people.
NEVER_RECORDED = frozenset({"password_hash", "session_token", "token_hash"})


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
    excluded = NEVER_RECORDED | set(getattr(obj, "__audit_exclude__", ()))
    return [a for a in inspect(obj).mapper.column_attrs if a.key not in excluded]


def _snapshot(obj) -> dict:
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in _columns(obj)}


def _changes(session: Session, obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after, unknown = {}, {}, []
    for attr in _columns(obj):
        if attr.key in ("updated_at",):
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            after[attr.key] = _plain(history.added[0]) if history.added else None
            if history.deleted:
                before[attr.key] = _plain(history.deleted[0])
            else:
                unknown.append(attr)
    if unknown:
        # Set while expired (after a commit) or from None: the session never held the old value, so read
        # the stored row, or the trail would say "was empty" about a value that was there.
        before.update(_stored_values(session, obj, unknown))
    return before, after


def _stored_values(session: Session, obj, attrs) -> dict:
    state = inspect(obj)
    if state.identity is None:
        return {attr.key: None for attr in attrs}
    where = [column == value for column, value in zip(state.mapper.primary_key, state.identity, strict=True)]
    row = session.connection().execute(select(*[attr.columns[0] for attr in attrs]).where(*where)).first()
    return {attr.key: _plain(row[i]) if row is not None else None for i, attr in enumerate(attrs)}


def _school_of(obj) -> int | None:
    if isinstance(obj, TenantScopedMixin):
        return obj.school_id
    return getattr(obj, "school_id", None)


def _record_id(obj) -> str | None:
    # From the primary key itself: a new row gets its identity only after the after_flush hook has run.
    values = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in values) if all(v is not None for v in values) else None


def _row(obj, action: str, before: dict | None, after: dict | None) -> dict:
    return {
        "at": now(),
        "actor_id": _acting_user_id.get(),
        "school_id": _school_of(obj),
        "action": action,
        "record_type": type(obj).__name__,
        "record_id": _record_id(obj),
        "before": before,
        "after": after,
        "detail": None,
    }


@contextlib.contextmanager
def disposing(session: Session):
    """Carry out an approved retention action (issue 19): inside the block, archived records may be deleted,
    and the changes write no before/after snapshot, which would copy into the trail the very personal data
    being destroyed. The caller writes one event naming only the kind and id of the record."""
    session.info["aphub_disposing"] = True
    try:
        yield
    finally:
        session.info.pop("aphub_disposing", None)


def _before_flush(session: Session, flush_context, instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailError("the audit trail is append-only")
    disposing_now = session.info.get("aphub_disposing", False)
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailError("the audit trail is append-only")
        if isinstance(obj, ArchivableMixin) and not disposing_now:
            raise AuditTrailError(f"{type(obj).__name__} records are archived, never deleted")
    if disposing_now:
        session.info["aphub_audit_deleted"], session.info["aphub_audit_changes"] = [], []
        return
    # Fresh lists for each flush: rows noted by a flush that then failed must not be written by the next one.
    # Deletions are snapshotted now: after the flush their state is gone.
    session.info["aphub_audit_deleted"] = [
        _row(obj, "delete", _snapshot(obj), None) for obj in session.deleted if isinstance(obj, AuditedMixin)
    ]
    changes = session.info["aphub_audit_changes"] = []
    for obj in session.dirty:
        if isinstance(obj, AuditedMixin) and session.is_modified(obj, include_collections=False):
            before, after = _changes(session, obj)
            if not after:
                continue
            action = "update"
            if isinstance(obj, ArchivableMixin) and "archived_at" in after:
                action = "archive" if after["archived_at"] else "restore"
            changes.append((obj, action, before, after))


def _after_flush(session: Session, flush_context) -> None:
    session.info["aphub_unsaved_writes"] = True
    rows = session.info.pop("aphub_audit_deleted", [])
    for obj, action, before, after in session.info.pop("aphub_audit_changes", []):
        rows.append(_row(obj, action, before, after))
    for obj in session.new:
        if isinstance(obj, AuditedMixin) and not session.info.get("aphub_disposing"):
            rows.append(_row(obj, "create", None, _snapshot(obj)))
    if rows:
        session.connection().execute(AuditEvent.__table__.insert(), rows)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("aphub_unsaved_writes", None)


def _refuse_bulk_changes(state) -> None:
    """Bulk UPDATE/DELETE statements bypass the flush, so they would bypass the trail: refuse them where
    the trail or the archive rule must hold. Core statements on the tables count as well."""
    if not (state.is_update or state.is_delete):
        return
    if state.is_update and state.execution_options.get("aphub_lock_only"):
        return  # app.state_changes.still: sets a key to itself to lock the row; nothing to record
    classes = {m.class_ for m in state.all_mappers}
    table = getattr(state.statement, "table", None)
    if isinstance(table, TableClause) and table.name == AuditEvent.__tablename__:
        classes.add(AuditEvent)
    if AuditEvent in classes:
        raise AuditTrailError("the audit trail is append-only")
    for cls in classes:
        if state.is_delete and issubclass(cls, ArchivableMixin):
            raise AuditTrailError(f"{cls.__name__} records are archived, never deleted")
        if issubclass(cls, AuditedMixin):
            raise AuditTrailError(
                f"bulk {'UPDATE' if state.is_update else 'DELETE'} of {cls.__name__} would leave no audit trail: "
                "change the records one by one through the session"
            )


def record_event(session: Session, action: str, record_type: str, record_id=None, school_id=None, detail=None,
                 actor_id=None) -> None:
    """Write an event that is not a row change (a sign-in, a delivery failure retried by hand, ...)."""
    session.add(AuditEvent(
        at=now(), actor_id=actor_id if actor_id is not None else _acting_user_id.get(), school_id=school_id,
        action=action, record_type=record_type, record_id=None if record_id is None else str(record_id),
        detail=detail,
    ))


_installed: set[int] = set()


def install_audit(session_target, session_getter) -> None:
    key = id(session_target)
    if key in _installed:  # a second app in the same process (tests) must not write every event twice
        return
    _installed.add(key)
    event.listen(session_target, "before_flush", _before_flush)
    event.listen(session_target, "after_flush", _after_flush)
    event.listen(session_target, "after_transaction_end", _after_transaction_end)
    event.listen(session_target, "do_orm_execute", _refuse_bulk_changes)

    def _trust_read(scope: Scope) -> None:
        """Only a trust role holder enters the trust scope (design invariant 2), and the entry is recorded.

        Committed at once, on entry, before anything is read: a read that writes nothing is still recorded.
        That commit must not carry half-done work of the caller with it, so the scope is refused while the
        session holds unsaved changes."""
        session = session_getter()
        actor = session.get(User, scope.actor_id) if scope.actor_id is not None else None
        if actor is None or not may_read_across_schools(actor):
            raise TenantScopeError("only a trust role holder may read across schools (trust scope refused)")
        if (session.new or session.deleted or any(session.is_modified(o) for o in session.dirty)
                or session.info.get("aphub_unsaved_writes")):
            raise TenantScopeError(
                "enter the trust scope before changing anything: recording the read commits the session"
            )
        session.add(AuditEvent(
            at=now(), actor_id=scope.actor_id, school_id=None, action="trust_read", record_type="Trust",
            detail=scope.reason[:500],
        ))
        session.commit()

    on_trust_scope_entered(_trust_read)
