"""`/healthz`: the process lives. `/readyz`: it can serve, i.e. the database and Redis answer and the schema is
at the migrations' head. Both open to anyone (a load balancer has no sign-in) and both say nothing personal:
a status word per dependency, never a row, a host name or an error text that could carry one."""
from __future__ import annotations

import logging

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app
from sqlalchemy import text

from app.extensions import db
from app.permissions import public
from jobs.connection import redis_connection

bp = Blueprint("ops_health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.route("/readyz")
@public
def readyz():
    checks = {"database": _database(), "redis": _redis(), "migrations": _migrations()}
    ready = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:
        log.exception("readyz: the database did not answer")
        db.session.rollback()
        return "unavailable"


def _redis() -> str:
    try:
        return "ok" if redis_connection().ping() else "unavailable"
    except Exception:
        log.exception("readyz: Redis did not answer")
        return "unavailable"


def migration_heads() -> set[str]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    heads = current_app.extensions.get("aphub_migration_heads")
    if heads is None:
        migrate = current_app.extensions["migrate"]
        heads = set(ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_heads())
        current_app.extensions["aphub_migration_heads"] = heads
    return heads


def database_revisions() -> set[str]:
    return set(db.session.scalars(text("SELECT version_num FROM alembic_version")))


def _migrations() -> str:
    try:
        current = database_revisions()
    except Exception:
        db.session.rollback()
        return "unavailable"
    # Behind: a release forgot `flask db upgrade`. Ahead: old code on a newer schema, mid-deploy.
    return "ok" if current == migration_heads() else "not at head"
