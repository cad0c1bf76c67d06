"""The second tenancy wall: PostgreSQL row-level security on every school-owned table.

The ORM wall (tenants.scoping) filters ORM statements; it cannot see `text()` SQL, Core statements on the
engine, or a query written wrong. Row-level security sits under all of them:

- every school-owned table has ENABLE and FORCE ROW LEVEL SECURITY and one policy, `aphub_tenant`, that lets
  a row through (read or write) when `school_id` is the transaction's `app.current_school`, or when the
  transaction declares `app.tenant_scope` = trust or system. With neither set, no row: fail closed, as the
  ORM wall does.
- `install_rls(engine)` sets both settings with `set_config(..., true)` (SET LOCAL: they end with the
  transaction, so a pooled connection never carries one request's school into the next) from the scope in
  force: at the first statement of each transaction, and again whenever the scope changes inside one (a
  request loads its user before it enters the school named in its URL). A trust scope is entered only
  through `trust_scope()`, which audits it; a system scope always names its reason.
- the application connects as a role that owns nothing (superusers, table owners without FORCE and roles
  with BYPASSRLS skip policies): `database_role_problems()` is what the production start refuses on.

SQLite has no row-level security: there the ORM wall stands alone, as before.
"""
from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import event, text

from tenants.context import ScopeKind, current_scope

POLICY = "aphub_tenant"
SCHOOL_SETTING = "app.current_school"
SCOPE_SETTING = "app.tenant_scope"

# Whether the row may be seen or written in the transaction's scope. NULLIF: an unset setting reads as ''.
POLICY_CONDITION = (
    f"current_setting('{SCOPE_SETTING}', true) IN ('trust', 'system') "
    f"OR school_id = NULLIF(current_setting('{SCHOOL_SETTING}', true), '')::int"
)

_APPLIED = "aphub_rls_settings"  # on the DBAPI connection's info: what this transaction has set


# Set only around the ORM's reload of an object it already read (see _reload_already_read).
_reloading: ContextVar[bool] = ContextVar("aphub_rls_reloading", default=False)


def scope_settings() -> tuple[str, str]:
    """(app.current_school, app.tenant_scope) for the scope in force; ('', '') with none."""
    if _reloading.get():
        return "", "system"
    scope = current_scope()
    if scope is None:
        return "", ""
    if scope.kind is ScopeKind.SCHOOL:
        return str(scope.school_id), "school"
    return "", scope.kind.value  # trust | system


def _forget(conn, *args) -> None:
    if conn.invalidated:
        return  # a dropped connection is replaced by a new one, which starts with nothing applied
    conn.info.pop(_APPLIED, None)


_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")


def _apply(conn, cursor, statement, parameters, context, executemany) -> None:
    if statement.lstrip()[:9].upper().startswith(_TRANSACTION_CONTROL):
        return  # reads no row; and after an error only these may run in the aborted transaction
    wanted = scope_settings()
    if conn.info.get(_APPLIED) == wanted:
        return
    cursor.execute(f"SELECT set_config('{SCHOOL_SETTING}', %s, true), set_config('{SCOPE_SETTING}', %s, true)",
                   wanted)
    conn.info[_APPLIED] = wanted


def _reload_already_read(state):
    """The ORM wall lets an object already read be reloaded by primary key outside a school scope (its expired
    attributes after a commit, say): the same allowance here, for that one statement, or the reload would
    find its row gone. Anything the ORM did not already read, and all raw SQL, stays behind the policy."""
    if not state.is_column_load or current_scope() is not None:
        return None
    token = _reloading.set(True)
    try:
        return state.invoke_statement()
    finally:
        _reloading.reset(token)


def install_rls(engine, session_class) -> bool:
    """Keep the transaction's settings in step with the tenant scope, on PostgreSQL. Returns whether installed.
    Install after `install_scoping`, so the ORM wall has judged a statement before it runs."""
    if engine.dialect.name != "postgresql" or event.contains(engine, "before_cursor_execute", _apply):
        return False
    # A new transaction starts with nothing set; a rolled-back savepoint may have undone what was set in it.
    for name in ("begin", "commit", "rollback", "rollback_savepoint"):
        event.listen(engine, name, _forget)
    event.listen(engine, "before_cursor_execute", _apply)
    if not event.contains(session_class, "do_orm_execute", _reload_already_read):
        event.listen(session_class, "do_orm_execute", _reload_already_read)
    return True


# --- the policies (used by the migrations) -----------------------------------------------------------------


def enable_statements(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({POLICY_CONDITION}) WITH CHECK ({POLICY_CONDITION})',
    ]


def disable_statements(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


def protected_tables(connection) -> set[str]:
    """Tables of the current schema with FORCE ROW LEVEL SECURITY and our policy."""
    return set(connection.scalars(text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = :policy "
        "WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relforcerowsecurity"
    ), {"policy": POLICY}))


# --- the role the application connects as ------------------------------------------------------------------


def database_role_problems(connection) -> list[str]:
    """Why the connected role could read past row-level security; empty when it cannot."""
    problems = []
    role = connection.execute(text(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    if role.rolsuper:
        problems.append(f"the role {role.rolname} is a superuser, which row-level security does not apply to")
    if role.rolbypassrls:
        problems.append(f"the role {role.rolname} has BYPASSRLS")
    owned = connection.scalar(text(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
        "AND pg_has_role(current_user, c.relowner, 'USAGE')"))
    if owned:
        problems.append(f"the role {role.rolname} owns (or is a member of the owner of) {owned} table(s): "
                        "it could switch row-level security off")
    return problems
