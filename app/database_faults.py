"""What a person sees when the database misbehaves under a request (issue 11, finding 6).

- A unique constraint refusing a row (a double click, two people at once, a dedupe key queued twice): the
  transaction is rolled back and the page says it was done already (409), never a 500.
- A connection dropped mid-request (a PostgreSQL restart): a GET or HEAD, which changes nothing, is run once
  more on a fresh connection. A change is not repeated: it may or may not have been committed.
- The database unreachable: a 503 page with Retry-After, so people and load balancers wait and try again.
`pool_pre_ping` (config) already replaces connections that died while idle in the pool.
"""
from __future__ import annotations

from flask import current_app, g, jsonify, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.extensions import db

RETRY_AFTER_SECONDS = 30


def init_app(app) -> None:
    app.register_error_handler(IntegrityError, _clash)
    app.register_error_handler(DBAPIError, _database_failed)
    # Around the view only (every before_request hook has run, the tenant scope is set): the read is
    # repeated, not the request's set-up.
    view_only = app.dispatch_request

    def dispatch_request_reading_twice():
        try:
            return view_only()
        except DBAPIError as exc:
            if not (exc.connection_invalidated and request.method in ("GET", "HEAD")):
                raise
            db.session.rollback()
            current_app.logger.warning("database connection dropped during %s %s; reading again once",
                                       request.method, request.path)
            return view_only()

    app.dispatch_request = dispatch_request_reading_twice


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _clash(error: IntegrityError):
    db.session.rollback()
    current_app.logger.warning("refused by a unique constraint (a repeated or concurrent request): %s",
                               str(error.orig).splitlines()[0] if error.orig else error)
    message = ("This was done a moment ago, by a repeated click or by someone else at the same time: "
               "nothing was saved or sent twice. Check the page before trying again.")
    if _wants_json():
        return jsonify({"error": {"status": 409, "message": message}}), 409
    return render_template("error.html", code=409, title="Done already", description=message), 409


def _database_failed(error: DBAPIError):
    db.session.rollback()
    if isinstance(error, IntegrityError):
        return _clash(error)
    if not (error.connection_invalidated or isinstance(error, OperationalError)):
        raise error  # a bug, not an outage: the ordinary 500
    current_app.logger.error("database unreachable during %s %s: %s", request.method, request.path,
                             str(error.orig or error).strip().splitlines()[0][:300])
    g._login_user = AnonymousUserMixin()  # the page must not need the database to say so
    message = ("AP Hub cannot reach its database for a moment. Nothing you saved before is lost; "
               "if you were saving something, check it once the service is back. Try again in a minute.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json():
        return jsonify({"error": {"status": 503, "message": message}}), 503, headers
    return (render_template("error.html", code=503, title="Service unavailable for a moment", description=message),
            503, headers)
