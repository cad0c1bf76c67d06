"""Issue 11, finding 6: no 500 from a database that refuses a duplicate, drops a connection or is unreachable."""
from __future__ import annotations

import threading

from sqlalchemy import event

from app.extensions import db
from app.models import NotificationStatus
from tests.helpers import csrf_token, sign_in
from tests.jobs.outbox_fixtures import all_notifications, fresh_client, run_worker, user_for
from tests.races import at_once
from tests.servers import free_port


def test_a_double_clicked_test_email_is_not_a_500_and_is_sent_once(app, world, smtp_sink, monkeypatch):
    from app.services import notifications

    browser = fresh_client(app)
    sign_in(browser, user_for("a.dsl"))
    token = csrf_token(browser, "/account/")
    looked_up = notifications.existing_notification
    clicks_read = []
    waited = threading.local()

    def both_find_none(key):  # each click has looked the key up and found nothing before either commits
        found = looked_up(key)
        if not getattr(waited, "done", False):
            waited.done = True
            clicks_read[-1]()
        return found

    monkeypatch.setattr(notifications, "existing_notification", both_find_none)

    def click(client):
        def action(ready):
            clicks_read.append(ready)
            return client.post("/account/test-email", data={"test_email-send": "1", "csrf_token": token})
        return action

    responses = at_once(app, click(browser), click(browser))  # the same browser, clicked twice
    monkeypatch.undo()
    assert [r.status_code for r in responses] == [302, 302]
    assert "A test email is on its way" in browser.get("/account/").get_data(as_text=True)
    (row,) = all_notifications()
    assert row.status is NotificationStatus.PENDING
    run_worker()
    assert [m["Message-ID"] for m in smtp_sink.messages] == [row.message_id]


def test_a_connection_dropped_during_a_page_read_is_read_again(app, world, client):
    sign_in(client, world.users["ac.ap_leader"])  # two schools: the home page counts their tasks
    dropped = []

    def drop_once(conn, cursor, statement, *args):
        if "FROM tasks" in statement and not dropped:
            dropped.append(statement)
            raise conn.dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    def as_a_disconnect(context):  # what SQLAlchemy concludes from a dead socket
        if dropped and context.original_exception is not None:
            context.is_disconnect = True

    engine = db.engine
    event.listen(engine, "before_cursor_execute", drop_once)
    event.listen(engine, "handle_error", as_a_disconnect)
    try:
        response = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", drop_once)
        event.remove(engine, "handle_error", as_a_disconnect)
    assert dropped, "the page read no tasks: the fault was never injected"
    assert response.status_code == 200 and "Alder" in response.get_data(as_text=True)


def test_an_unreachable_database_is_a_503_with_retry_after(app, world, client, database_url):
    from app import create_app
    from config import TestingConfig

    sign_in(client, user_for("a.dsl"))
    cookie = client.get_cookie("session")
    dead = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://aphub:x@127.0.0.1:{free_port()}/gone",
                      REDIS_URL=app.config["REDIS_URL"], INSTANCE_PATH=app.config["INSTANCE_PATH"])
    dead_client = dead.test_client()
    dead_client.set_cookie("session", cookie.value)  # a signed-in person: their user is loaded from the database
    for path in ("/", "/account/", "/health"):
        response = dead_client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert response.headers["Retry-After"] == "30"
        assert "cannot reach its database for a moment" in response.get_data(as_text=True)
    api = dead_client.get("/api/v1/pupils", headers={"Authorization": "Bearer nothing"})
    assert api.status_code == 503 and api.json["error"]["status"] == 503
