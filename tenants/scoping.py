"""Automatic scoping of tenant-owned queries, installed once on the session class.

With a school scope, every ORM SELECT/UPDATE/DELETE touching a `TenantScopedMixin` model gets
`school_id = <current school>` added (relationship loads, `session.get()` and refreshes of expired objects
too). With no scope at all such a statement raises, wherever the tenant table appears in it (a join, a
subquery, an EXISTS): nothing tenant-owned is read by accident. New tenant-owned objects take the current
school when created, and a flush refuses to insert, update, move or delete a row of another school.

Not covered by design (see stack notes): `text()` SQL and Core statements on the engine. Code that uses them
must filter by school itself and says so where it does.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import TableClause

from tenants.context import ScopeKind, TenantScopeError, current_scope


class TenantScopedMixin:
    """A record owned by one school. `school_id` is set from the scope when the record is created."""

    # A model may allow trust-level rows with no school (visible only in trust or system scope).
    __tenant_optional__ = False

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey("schools.id"), index=True, nullable=cls.__tenant_optional__
        )


class SharedOrSchoolOwnedMixin:
    """A record the whole trust shares (`owning_school_id` empty) or that one school owns, such as a school's own
    on-site provision. In a school's scope only shared rows and that school's own are seen; in the trust and
    system scopes, all. The model declares `owning_school_id` itself."""


def _shared_or_own(school_id: int):
    return lambda cls: (cls.owning_school_id.is_(None)) | (cls.owning_school_id == school_id)


def _shared_models() -> list[type]:
    found, pending = [], list(SharedOrSchoolOwnedMixin.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if inspect(cls, raiseerr=False) is not None:
            found.append(cls)
    return found


def _tenant_table_names() -> set[str]:
    names, pending = set(), list(TenantScopedMixin.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        mapper = inspect(cls, raiseerr=False)
        if mapper is not None and mapper.local_table is not None:
            names.add(mapper.local_table.name)
    return names


def _touches_tenant_models(state) -> bool:
    if any(issubclass(m.class_, TenantScopedMixin) for m in state.all_mappers):
        return True
    # all_mappers names only the top-level entities: a tenant table in a join, a subquery, an EXISTS or a
    # select_from() counts too, or the fail-closed rule would have holes.
    tenant_tables = _tenant_table_names()
    return any(isinstance(element, TableClause) and element.name in tenant_tables
               for element in visitors.iterate(state.statement))


def _add_school_criteria(state) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = current_scope()
    if state.is_column_load:
        # Refreshing an object already in memory. Under a school scope the refresh is filtered too, so an
        # object of another school left in the identity map reads as gone (session.get() gives None)
        # instead of coming back to life. SQLAlchemy leaves loader criteria out of refreshes: say it here.
        # Outside a school scope it is a plain primary-key reload of what was already read.
        if scope is not None and scope.kind is ScopeKind.SCHOOL:
            for mapper in state.all_mappers:
                if issubclass(mapper.class_, TenantScopedMixin):
                    state.statement = state.statement.where(mapper.class_.school_id == scope.school_id)
                if issubclass(mapper.class_, SharedOrSchoolOwnedMixin):
                    state.statement = state.statement.where(_shared_or_own(scope.school_id)(mapper.class_))
        return
    if scope is None:
        if _touches_tenant_models(state):
            raise TenantScopeError(
                "a query on tenant-owned records ran with no school scope; enter school_scope(), "
                "trust_scope() or system_scope() first"
            )
        return
    if scope.kind is not ScopeKind.SCHOOL:
        return
    school_id = scope.school_id
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScopedMixin,
            lambda cls: cls.school_id == school_id,
            include_aliases=True,
        ),
        *(with_loader_criteria(cls, _shared_or_own(school_id)(cls), include_aliases=True)
          for cls in _shared_models()),
    )


def _stamp_school(target, args, kwargs) -> None:
    """On construction: take the current school; refuse another school's id while in a school scope."""
    if not isinstance(target, TenantScopedMixin):
        return
    scope = current_scope()
    given = kwargs.get("school_id")
    if given is None and "school" in kwargs and kwargs["school"] is not None:
        given = kwargs["school"].id
    if scope is not None and scope.kind is ScopeKind.SCHOOL:
        if given is None:
            kwargs["school_id"] = scope.school_id
        elif given != scope.school_id:
            raise TenantScopeError(
                f"cannot create {type(target).__name__} for school {given} inside the scope of school {scope.school_id}"
            )
    elif scope is None and given is None and not type(target).__tenant_optional__:
        raise TenantScopeError(f"cannot create {type(target).__name__} without a school scope or a school_id")


def _check_flush(session: Session, flush_context, instances) -> None:
    scope = current_scope()
    if scope is None or scope.kind is not ScopeKind.SCHOOL:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if not isinstance(obj, TenantScopedMixin):
            continue
        # The school it has now and, for a stored row, the school it had: moving a row in from another
        # school, or deleting one (unit-of-work deletes carry no school criteria), is writing that school.
        schools = {obj.school_id, *inspect(obj).attrs.school_id.history.deleted} - {None}
        foreign = schools - {scope.school_id}
        if foreign:
            raise TenantScopeError(
                f"refusing to write {type(obj).__name__} of school {min(foreign)} inside the scope of "
                f"school {scope.school_id}"
            )


_installed: set[int] = set()


def install_scoping(session_target) -> None:
    """Install the listeners on a session (class or sessionmaker) and on every tenant-owned model."""
    key = id(session_target)
    if key in _installed:
        return
    _installed.add(key)
    event.listen(session_target, "do_orm_execute", _add_school_criteria)
    event.listen(session_target, "before_flush", _check_flush)
    # On the mixin itself: Flask-SQLAlchemy's db.Model is a copy of the declarative base, not a subclass of
    # it, so a listener on the base class never fires for the models.
    event.listen(TenantScopedMixin, "init", _stamp_school, propagate=True)
