"""The role the application connects as, on PostgreSQL: it must own nothing, so row-level security binds it.

The release step (`flask --app app db upgrade`) runs as the role that owns the tables and then grants the
application role what it needs (`grant_statements`); web, workers and cron (`wsgi`) refuse to start in
production as a role that could read past row-level security."""
from __future__ import annotations

import re

from sqlalchemy import text

from app.extensions import db
from config.env import ConfigError
from tenants.rls import database_role_problems

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def refuse_unsafe_database_role(app) -> None:
    """Production on PostgreSQL: stop here if the connected role owns tables, is a superuser or bypasses RLS."""
    if app.config.get("ENV_NAME") != "production":
        return
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect() as conn:
            problems = database_role_problems(conn)
    if problems:
        raise ConfigError(
            "Production refuses to start: " + "; ".join(problems) + ". Connect as a role that owns nothing "
            "(DATABASE_URL) and keep the owner for the release step (MIGRATION_DATABASE_URL); see "
            "docs/production.md.")


def grant_statements(role: str) -> list[str]:
    """What the application role needs: use the tables and sequences, now and those later migrations add."""
    if not _ROLE_NAME.fullmatch(role):
        raise ValueError(f"not a plain role name: {role!r}")
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


def grant_to_application_role(connection, role: str) -> None:
    for statement in grant_statements(role):
        connection.execute(text(statement))
