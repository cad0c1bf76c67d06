"""Structured logs: one JSON object a line, each carrying the request id of the request that caused it.

The request id comes from the proxy's `X-Request-ID` when it is a sane token (so a line can be followed from
the proxy's log into ours), else is made here; it is sent back in the response and travels with every job the
request enqueues (`jobs.enqueue.job_meta`), so a worker's lines about an email name the request that queued it.
Nothing personal is logged by this module: ids, routes and timings only."""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import g, has_request_context, request
from rq import get_current_job

from config.env import ConfigError

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")


def current_request_id() -> str | None:
    """The id of the request being served, or of the request that enqueued the job being run; else None."""
    if has_request_context():
        return getattr(g, "request_id", None)
    job = _current_job()
    return job.meta.get("request_id") if job is not None else None


def _current_job():
    try:
        return get_current_job()
    except Exception:  # outside a worker, or its connection gone: no job to speak of
        return None


class RequestIdFilter(logging.Filter):
    """Puts `request_id` and `job_id` on every record, so any formatter can show them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        job = None if has_request_context() else _current_job()
        record.job_id = job.id if job is not None else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id", "route", "method", "status", "duration_ms"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Root logging for a process: `json` (production) or `text`. Replaces handlers we installed before."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_aphub", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._aphub = True
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)


access_log = logging.getLogger("aphub.access")


def init_app(app) -> None:
    fmt = app.config.get("LOG_FORMAT")
    if fmt not in (None, "json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, got {fmt!r}")
    if fmt:  # unset in tests: pytest's own capture stays in charge
        configure_logging(fmt, app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _request_id():
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _send_request_id(response):
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
