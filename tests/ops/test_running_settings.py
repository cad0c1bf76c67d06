"""The production settings' small parts: the proxy's headers, the log format, the error reporter's scrubbing,
the workers' queues, the application role's grants."""
from __future__ import annotations

import pytest
from flask import Flask, request

from app.ops import error_reporting, logs, proxy
from app.ops.database_role import grant_statements
from config.env import ConfigError


def _echo_app(**config) -> Flask:
    app = Flask("probe")
    app.config.update(config)
    proxy.init_app(app)

    @app.route("/")
    def echo():
        return {"addr": request.remote_addr, "scheme": request.scheme}

    return app


HEADERS = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}


def test_one_proxy_hop_trusts_the_last_forwarded_address_and_the_scheme():
    got = _echo_app(PROXY_HOPS=1).test_client().get("/", headers=HEADERS).get_json()
    assert got == {"addr": "203.0.113.9", "scheme": "https"}  # the client's own claim (198.51.100.7) is not taken


def test_no_proxy_hops_ignores_the_headers():
    got = _echo_app(PROXY_HOPS=0).test_client().get("/", headers=HEADERS).get_json()
    assert got == {"addr": "127.0.0.1", "scheme": "http"}


def test_an_unknown_log_format_stops_the_start():
    app = Flask("probe")
    app.config["LOG_FORMAT"] = "xml"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        logs.init_app(app)


def test_the_error_reporter_sends_no_personal_detail():
    event = {"request": {"method": "POST", "url": "https://aphub.example.org/alder/pupils/4?name=Robin",
                         "data": {"first_name": "Robin"}, "cookies": {"session": "x"},
                         "headers": {"Cookie": "session=x"}},
             "user": {"email": "a@example.org"}, "breadcrumbs": {"values": [{"message": "Robin"}]},
             "exception": {"values": [{"type": "ValueError"}]}}
    scrubbed = error_reporting._scrub(event, {})
    assert scrubbed == {"request": {"method": "POST", "url": "https://aphub.example.org/alder/pupils/4"},
                        "exception": {"values": [{"type": "ValueError"}]}}


def test_no_error_reporter_without_a_dsn():
    app = Flask("probe")
    error_reporting.init_app(app)  # would import and start sentry-sdk with a DSN
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


def test_a_worker_refuses_a_queue_it_does_not_know(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--queues", "urgent,emails"])
    assert result.exit_code != 0 and "unknown queue emails" in result.output


def test_the_application_role_gets_table_rights_and_nothing_more():
    statements = grant_statements("aphub_app")
    assert all("aphub_app" in s for s in statements)
    assert not any("OWNER" in s or "SUPERUSER" in s or "BYPASSRLS" in s or "ALL PRIVILEGES" in s
                   for s in statements)
    with pytest.raises(ValueError):
        grant_statements("aphub_app; DROP TABLE pupils")
