"""An optional error reporter: with `ERROR_REPORTING_DSN` set, unhandled errors in web requests and jobs go to
a Sentry-compatible service (Sentry, GlitchTip, ...). Without it nothing is loaded and nothing leaves.

What is sent is kept to the error: no request bodies, cookies, headers or user details (`send_default_pii`
off, and `_scrub` drops what the SDK would still attach), because a trust's safeguarding records must not end
up in a third party's error tracker. The stack's local variables are off for the same reason."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def _scrub(event, hint):
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {k: request[k] for k in ("method", "url") if k in request}
        # The URL's query string may name a pupil or carry a token.
        if "url" in event["request"]:
            event["request"]["url"] = event["request"]["url"].split("?", 1)[0]
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    return event


def init_app(app) -> None:
    dsn = app.config.get("ERROR_REPORTING_DSN")
    if not dsn:
        return
    # deferred: the reporter is loaded only when a DSN is configured (README: optional, off by default)
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config.get("ENV_NAME"),
        integrations=[FlaskIntegration(), RqIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=_scrub,
    )
    log.info("error reporting on")
