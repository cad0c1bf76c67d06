"""AP Hub: the application factory. Each subsystem binds itself here; nothing connects at import time."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event, select

import tenants.web
from app import (
    auth,
    errors,
    extensions,
    heap,
    models,  # noqa: F401  (register every model with the metadata)
    security_headers,
    templating,
    throttles,
)
from app.admin import init_app as init_admin
from app.api import init_app as init_api
from app.audit import install_audit
from app.cli import init_app as init_cli
from app.input_edges import install_converters
from app.models import School
from app.ops import init_app as init_ops
from app.permissions import permissions_for_school_roles, user_school_roles
from app.policy.retention_schedule import parse_settings
from app.services.attendance_day_counts import install_day_count_upkeep
from app.services.figure_cache import install_figure_cache_upkeep
from app.services.notifications import install_outbox_enqueue
from app.services.part_time_flexi_figures import install_report_sections
from app.services.registration_verdicts import install_registration_verdicts
from app.views import register_blueprints
from config import config_for
from config.env import ConfigError
from jobs import init_app as init_jobs
from jobs.webhook_deliveries import install_webhook_enqueue
from tenants import install_scoping
from tenants.rls import install_rls
from tenants.wiring import KernelHooks, install


def create_app(config: str | type | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    cfg = config if isinstance(config, type) else config_for(config)
    app.config.from_object(cfg)
    app.config.update(overrides)
    app.config["RETENTION_YEARS"] = _retention_years(app.config.get("RETENTION_YEARS"))
    if getattr(cfg, "ENV_NAME", "") == "production" and (app.debug or app.config.get("DEBUG")):
        raise ConfigError("Debug mode is on: production refuses to start with debug on. Unset FLASK_DEBUG.")

    install_converters(app)  # before any route: an id beyond 64 bits is a 404, not an overflow

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, render_as_batch=True, compare_type=True)
    extensions.csrf.init_app(app)
    auth.init_app(app)

    security_headers.init_app(app)
    throttles.init_app(app)

    with app.app_context():
        session_class = extensions.db.session.session_factory.class_
        if extensions.db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(extensions.db.engine)
        elif extensions.db.engine.dialect.name == "postgresql" and not app.config["DATABASE_JIT"]:
            _postgres_without_jit(extensions.db.engine)
        engine = extensions.db.engine
    install_scoping(session_class)
    install_rls(engine, session_class)  # PostgreSQL: the tenant scope also reaches row-level security
    _wire_tenancy(extensions)
    install_audit(session_class, lambda: extensions.db.session)

    install_day_count_upkeep(session_class)  # a change to a day's sessions removes its rolled-up counts
    install_figure_cache_upkeep(session_class)  # a change to a school's records retires its kept figures
    install_outbox_enqueue(session_class)  # delivery jobs are enqueued once the outbox row has committed
    install_report_sections()  # the report's part-time and flexi-schooling figures (issue 16)
    install_webhook_enqueue(session_class)  # likewise webhook deliveries (issue 17 item 5)
    install_registration_verdicts(session_class)  # 7.2 verdicts recounted as their facts change (issue 18)
    tenants.web.init_app(app)

    init_ops(app)  # first of the request hooks: the request id and the timer start before anything else

    register_blueprints(app)
    errors.init_app(app)

    templating.init_app(app)

    init_api(app)

    init_admin(app)

    init_cli(app)

    init_jobs(app)
    heap.init_app(app)  # last: freezes everything made so far
    return app


def _wire_tenancy(extensions) -> None:
    """Hand the tenancy kernel what it needs from the app (it imports nothing of app/): the session, the school
    loader, the roles and permissions check, and the sign-in response."""
    db = extensions.db
    install(KernelHooks(
        session=lambda: db.session,
        school_by_slug=lambda slug: db.session.scalar(
            select(School).where(School.slug == slug, School.is_active.is_(True))),
        school_roles=user_school_roles,
        permissions_for_roles=permissions_for_school_roles,
        unauthorized=lambda: extensions.login_manager.unauthorized(),
    ))


def _sqlite_pragmas(engine) -> None:
    """SQLite as the embedded default behaves like PostgreSQL where it matters: foreign keys enforced, and
    the web and worker processes able to write without tripping over each other.

    pysqlite's deferred BEGIN is kept on purpose: with SQLAlchemy emitting BEGIN itself, every read would open
    a snapshot and a later write in the same transaction would fail ("database is locked") whenever the other
    process wrote meanwhile. The price: a SAVEPOINT taken as a transaction's first write is not undone by the
    outer rollback on SQLite (PostgreSQL, the production database, is exact)."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def _postgres_without_jit(engine) -> None:
    """PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes jit_above_cost. The
    figures' one-statement reads cross that line as history grows, and compiling cost 200 ms of a 277 ms
    statement on the trust dashboard at 10x history, for a statement that runs in 80 ms without. Our queries
    are short and indexed: JIT only ever costs. Off per connection (DATABASE_JIT=1 leaves the server's choice)."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def _retention_years(setting) -> dict[str, int]:
    """RETENTION_YEARS ("AttendanceSession=6,Placement=7") as {record: years}, checked against the schedule."""
    if isinstance(setting, dict):
        return setting
    try:
        return parse_settings(setting)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
