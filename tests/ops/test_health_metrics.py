"""/healthz, /readyz and /metrics: open where a load balancer needs them, closed where it does not, and never
a personal detail in any of them."""
from __future__ import annotations

import json
import logging

from sqlalchemy import text

from app.extensions import db
from app.models import Audience
from app.services.notifications import queue_notification
from jobs import sweep_stats
from tenants import school_scope
from tests.helpers import school_time

TOKEN = "metrics-token-for-tests-0123456789abcdef"


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client, world):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "migrations": "ok"}}


def test_readyz_is_unavailable_when_the_schema_is_behind(app, client, world):
    (current,) = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001_platform'"))
    db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["migrations"] == "not at head"
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
        db.session.commit()


def test_readyz_is_unavailable_when_redis_is_down(app, client, world):
    app.config["REDIS_URL"], saved = "redis://127.0.0.1:1/0", app.config["REDIS_URL"]
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "unavailable", "migrations": "ok"}


def test_metrics_need_the_token(app, client):
    assert client.get("/metrics").status_code == 401  # no token configured: metrics are off
    app.config["METRICS_TOKEN"] = TOKEN
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    finally:
        app.config["METRICS_TOKEN"] = None


def _scrape(app, client) -> str:
    app.config["METRICS_TOKEN"] = TOKEN
    try:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    finally:
        app.config["METRICS_TOKEN"] = None
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_metrics_report_routes_queues_outbox_and_sweeps(app, client, world):
    client.get("/healthz")
    with school_time("2026-03-04 09:00"):
        with school_scope(world.a.id):
            queue_notification(template="test_email", audience=Audience.STAFF, recipient_email="officer@test.example.org",
                               recipient_name="Pat Officer", context={}, dedupe_key="metrics-test")
            db.session.commit()
    with school_time("2026-03-04 09:10"):
        body = _scrape(app, client)
    assert 'aphub_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in body
    assert 'aphub_queue_jobs{queue="aphub-test-email",state="queued"} 1.0' in body
    assert 'aphub_workers_live 0.0' in body
    assert 'aphub_outbox_notifications{status="pending"} 1.0' in body
    assert 'aphub_outbox_notifications{status="possibly_duplicated"} 0.0' in body
    assert 'aphub_outbox_oldest_waiting_seconds 600.0' in body
    assert 'aphub_up{part="outbox"} 1.0' in body and 'aphub_up{part="redis"} 1.0' in body
    # Nothing personal: the recipient's address and name are not in the figures.
    assert "officer@test.example.org" not in body and "Pat Officer" not in body


def test_a_sweeps_outcome_is_recorded_for_the_metrics(app, client, redis_server):
    from redis import Redis
    from rq import Queue, SimpleWorker

    conn = Redis.from_url(redis_server.url)
    queue = Queue("aphub-test-sweeps", connection=conn)
    queue.enqueue("builtins.len", "abc", **sweep_stats.callbacks("cut_off_prompts"))
    queue.enqueue("builtins.int", "not a number", **sweep_stats.callbacks("daily_sessions"))
    SimpleWorker([queue], connection=conn).work(burst=True)
    stats = sweep_stats.read_all(conn)
    assert set(stats["cut_off_prompts"]) == {"duration", "last_success"}
    assert set(stats["daily_sessions"]) == {"duration", "last_failure"}
    body = _scrape(app, client)
    assert 'aphub_sweep_last_success_timestamp_seconds{sweep="cut_off_prompts"}' in body
    assert 'aphub_sweep_last_failure_timestamp_seconds{sweep="daily_sessions"}' in body


def test_the_request_id_travels_into_the_jobs_a_request_enqueues(app, client, world):
    from jobs.connection import get_queue, redis_connection
    from jobs.enqueue import enqueue

    response = client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})
    assert response.headers["X-Request-ID"] == "proxy-abc-12345"
    assert len(client.get("/healthz", headers={"X-Request-ID": "bad id!"}).headers["X-Request-ID"]) == 32

    # Enqueue from inside a request, as a view's service does, and read the job back from Redis.
    with app.test_request_context("/", headers={"X-Request-ID": "req-from-proxy-0001"}):
        app.preprocess_request()
        job = enqueue("default", "builtins.len", "abc")
    assert job.meta["request_id"] == "req-from-proxy-0001"
    assert get_queue("default", redis_connection()).fetch_job(job.id).meta["request_id"] == "req-from-proxy-0001"


def test_json_log_lines_carry_the_request_id():
    from app.ops.logs import JsonFormatter

    record = logging.LogRecord("aphub.access", logging.INFO, __file__, 1, "GET %s", ("/healthz",), None)
    record.request_id, record.route, record.status = "abc12345", "/healthz", 200
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /healthz" and line["request_id"] == "abc12345" and line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "aphub.access"


def test_a_message_sent_after_its_row_was_put_back_counts_as_possibly_duplicated(app, client, world):
    from app.clock import now
    from app.models import Notification, NotificationStatus
    from tenants import system_scope

    with school_scope(world.a.id):
        queue_notification(template="test_email", audience=Audience.STAFF, recipient_email="o@test.example.org",
                           context={}, dedupe_key="metrics-duplicate")
        db.session.commit()
    with system_scope("test: a send after a reclaim"):
        row = db.session.scalars(db.select(Notification)).one()
        row.status, row.reclaimed_at, row.sent_at = NotificationStatus.SENT, now(), now()
        db.session.commit()
    body = _scrape(app, client)
    assert 'aphub_outbox_notifications{status="possibly_duplicated"} 1.0' in body
