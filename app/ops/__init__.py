"""Running AP Hub as production runs it: health and readiness, Prometheus metrics, structured logs with a
request id, an optional error reporter, behind a TLS proxy; and the operators' `flask ops` commands.

Each part binds itself in `init_app`; none opens a connection at import time."""
from __future__ import annotations

from app.ops import error_reporting, health, logs, metrics, proxy
from app.ops.cli import ops_cli


def init_app(app) -> None:
    logs.init_app(app)
    proxy.init_app(app)
    error_reporting.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
    app.cli.add_command(ops_cli)
