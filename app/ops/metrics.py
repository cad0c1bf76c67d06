"""Prometheus metrics on `/metrics`, behind a bearer token (`METRICS_TOKEN`; with none set the page is a 404).

Two kinds:
- per process, counted as requests happen: request latency by route. Under gunicorn each worker process
  writes its own files in `PROMETHEUS_MULTIPROC_DIR` (deploy/gunicorn.conf.py sets it) and a scrape of any
  worker adds them up (prometheus-client's multiprocess mode).
- the trust's state, read at scrape time from Redis and the database, so every web process answers alike:
  queue depths, live workers, the outbox (waiting, sending, failed, possibly duplicated, the age of the
  oldest waiting email), each sweep's last duration and last success (recorded by jobs.sweep_stats).
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from flask import Blueprint, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from rq import Worker

from app.extensions import db
from app.permissions import ops_token
from app.services.notifications import outbox_counts
from jobs.connection import all_queues, redis_connection
from jobs.sweep_stats import read_all
from tenants import system_scope

log = logging.getLogger(__name__)
access_log = logging.getLogger("aphub.access")

REQUEST_LATENCY = Histogram(
    "aphub_request_duration_seconds", "Time to answer a request, by route (the URL rule, never the URL itself)",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

bp = Blueprint("ops_metrics", __name__)


@bp.route("/metrics")
@ops_token
def metrics():
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    # No token configured: metrics are off, and no header opens them.
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(401)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(StateCollector(current_app._get_current_object()))
    return registry


class StateCollector:
    """Reads the trust's state when scraped. A part that cannot be read is left out (and logged), so a Redis
    outage still lets the database figures through; `aphub_up{part}` says which parts answered."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        up = GaugeMetricFamily("aphub_up", "Whether this part could be read for this scrape", labels=["part"])
        for part, read in (("redis", self._redis), ("outbox", self._outbox), ("sweeps", self._sweeps)):
            try:
                yield from read()
                up.add_metric([part], 1)
            except Exception:
                log.exception("metrics: could not read %s", part)
                up.add_metric([part], 0)
        yield up

    def _redis(self):
        conn = redis_connection()
        depth = GaugeMetricFamily("aphub_queue_jobs", "Jobs per queue and state", labels=["queue", "state"])
        queues = all_queues(conn)
        for q in queues:
            depth.add_metric([q.name, "queued"], q.count)
            depth.add_metric([q.name, "started"], q.started_job_registry.count)
            depth.add_metric([q.name, "scheduled"], q.scheduled_job_registry.count)
            depth.add_metric([q.name, "failed"], q.failed_job_registry.count)
        yield depth
        ours = {q.name for q in queues}
        workers = GaugeMetricFamily("aphub_workers", "Live RQ workers serving each of our queues", labels=["queue"])
        live = [w for w in Worker.all(connection=conn) if ours & set(w.queue_names())]
        for name in sorted(ours):
            workers.add_metric([name], sum(1 for w in live if name in w.queue_names()))
        yield workers
        yield GaugeMetricFamily("aphub_workers_live", "Live RQ workers serving any of our queues", value=len(live))

    def _outbox(self):
        counts = GaugeMetricFamily("aphub_outbox_notifications", "Outbox rows needing attention, by status",
                                   labels=["status"])
        with system_scope("metrics: outbox counts across schools (numbers only)"):
            try:
                figures = outbox_counts()
                for status, n in sorted(figures.by_status.items()):
                    counts.add_metric([status], n)
                # Sent after a worker died mid-send and the row was put back: the server may have it twice.
                counts.add_metric(["possibly_duplicated"], figures.may_be_duplicates)
            finally:
                db.session.rollback()
        yield counts
        yield GaugeMetricFamily("aphub_outbox_oldest_waiting_seconds",
                                "Age of the oldest immediate email still waiting (0 when none)",
                                value=figures.oldest_pending_age_seconds or 0)

    def _sweeps(self):
        duration = GaugeMetricFamily("aphub_sweep_last_duration_seconds", "How long the sweep's last run took",
                                     labels=["sweep"])
        success = GaugeMetricFamily("aphub_sweep_last_success_timestamp_seconds",
                                    "When the sweep last finished without error (Unix time)", labels=["sweep"])
        failure = GaugeMetricFamily("aphub_sweep_last_failure_timestamp_seconds",
                                    "When the sweep last failed (Unix time)", labels=["sweep"])
        for name, stats in sorted(read_all().items()):
            if "duration" in stats:
                duration.add_metric([name], stats["duration"])
            if "last_success" in stats:
                success.add_metric([name], stats["last_success"])
            if "last_failure" in stats:
                failure.add_metric([name], stats["last_failure"])
        yield duration
        yield success
        yield failure


def init_app(app) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("request_started", None)
        if started is None:
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "(no route)"
        REQUEST_LATENCY.labels(route, request.method, str(response.status_code)).observe(elapsed)
        access_log.info("%s %s %s", request.method, route, response.status_code,
                        extra={"route": route, "method": request.method, "status": response.status_code,
                               "duration_ms": round(elapsed * 1000, 1)})
        return response
