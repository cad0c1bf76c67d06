"""Who the current unit of work acts for.

A ContextVar holds the scope. Requests set it in `before_request` and reset it in `teardown_request` (so it
cannot leak into the next request on the same thread); jobs set and reset it around their body.
"""
from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass


class TenantScopeError(RuntimeError):
    """A tenant-owned record was touched without a scope, or outside the scope in force."""


class ScopeKind(enum.Enum):
    SCHOOL = "school"  # one school's records only
    TRUST = "trust"  # every school's records, read by a trust role; audited on entry
    SYSTEM = "system"  # infrastructure (outbox dispatch, sweeps listing schools, seeding); named for the log


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    school_id: int | None = None
    actor_id: int | None = None
    reason: str = ""


_current: ContextVar[Scope | None] = ContextVar("aphub_tenant_scope", default=None)

# Called on entry to a trust scope so the cross-school read is in the audit trail. The app registers it; the
# kernel does not import the app.
_trust_scope_listeners: list[Callable[[Scope], None]] = []


def on_trust_scope_entered(listener: Callable[[Scope], None]) -> None:
    if listener not in _trust_scope_listeners:
        _trust_scope_listeners.append(listener)


def current_scope() -> Scope | None:
    return _current.get()


def current_school_id() -> int | None:
    scope = _current.get()
    return scope.school_id if scope and scope.kind is ScopeKind.SCHOOL else None


def require_school_id() -> int:
    school_id = current_school_id()
    if school_id is None:
        raise TenantScopeError("this needs a school scope and none is set")
    return school_id


def set_scope(scope: Scope | None):
    """Low-level: set the scope and return the token to reset it. Prefer the context managers."""
    return _current.set(scope)


def reset_scope(token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def _entered(scope: Scope) -> Iterator[Scope]:
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def school_scope(school_id: int) -> contextlib.AbstractContextManager[Scope]:
    if not isinstance(school_id, int) or isinstance(school_id, bool):
        raise TenantScopeError(f"school scope needs a school id, got {school_id!r}")
    return _entered(Scope(ScopeKind.SCHOOL, school_id=school_id))


@contextlib.contextmanager
def trust_scope(actor_id: int | None, reason: str) -> Iterator[Scope]:
    """Cross-school reads for a trust role. Only code that has checked the actor's trust role calls this."""
    if not reason:
        raise TenantScopeError("a trust scope must say why it is entered")
    scope = Scope(ScopeKind.TRUST, actor_id=actor_id, reason=reason)
    for listener in _trust_scope_listeners:
        listener(scope)
    with _entered(scope):
        yield scope


def system_scope(reason: str) -> contextlib.AbstractContextManager[Scope]:
    """Infrastructure that must cross schools by design (it never shows data to a person)."""
    if not reason:
        raise TenantScopeError("a system scope must say why it is entered")
    return _entered(Scope(ScopeKind.SYSTEM, reason=reason))
