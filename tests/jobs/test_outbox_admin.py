"""Who sees the outbox: the school's external notices page, the trustee's admin (notifications, queue health),
and the operators' `flask jobs` commands."""
from __future__ import annotations

import pytest
from sqlalchemy import event, update

from app.extensions import db
from app.models import LAContactKind, Notification, NotificationStatus, School
from app.services.notifications import notify_local_authority
from jobs.connection import DEFAULT
from jobs.enqueue import enqueue
from tenants import school_scope, system_scope
from tests.helpers import sign_in
from tests.jobs.outbox_fixtures import (
    explode_for_test,
    fresh_client,
    notification,
    queue_staff_prompt,
    run_worker,
    school_id,
    user_for,
)

NOTICE = {"subject": "New alternative provision placement", "paragraphs": ["Pupil P7 starts at the Hive Room."],
          "school_name": "Alder School"}


def _la_notice(school: str, key: str, about: str = "Pupil P7 at the Hive Room") -> int:
    with school_scope(school_id(school)):
        n = notify_local_authority(db.session.get(School, school_id(school)), LAContactKind.AP_NOTIFICATIONS,
                                   template="notice", context=NOTICE, dedupe_key=key, about_type="Placement",
                                   about_id=41, about_label=about)
        db.session.commit()
        return n.id


def _fail(nid: int, error: str = "SMTP refused: 451 4.3.0 try again later") -> None:
    with system_scope("test: mark a notification failed"):
        db.session.execute(update(Notification).where(Notification.id == nid)
                           .values(status=NotificationStatus.FAILED, attempts=6, last_error=error))
        db.session.commit()


# --- the school's external notices page ----------------------------------------------------------------------


def test_the_school_sees_what_it_sent_to_the_la_and_nothing_else(app, world, client, smtp_sink):
    sent = _la_notice("a", "placement-commissioned:41:la")
    waiting = _la_notice("a", "placement-commissioned:42:la", about="Pupil P8 at Riverside Farm")
    run_worker()
    with system_scope("test: leave one notice waiting"):
        db.session.execute(update(Notification).where(Notification.id == waiting)
                           .values(status=NotificationStatus.PENDING, sent_at=None))
        db.session.commit()
    queue_staff_prompt(world, key="staff-only")  # internal: not an external notice
    _la_notice("b", "placement-commissioned:77:la", about="Pupil of Birch")

    sign_in(client, user_for("a.ap_leader"))
    page = client.get("/alder/notices")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<summary>New alternative provision placement</summary>") == 2
    assert "AP Team" in html and "ap@la.example.org" in html and "Local authority" in html
    assert "Pupil P7 at the Hive Room" in html and "Pupil P8 at Riverside Farm" in html
    assert '<span class="govuk-tag govuk-tag--green">Sent</span>' in html and "Waiting to send" in html
    assert "Pupil P7 starts at the Hive Room." in html  # what was sent, in full
    assert "Welfare check due" not in html and "Pupil of Birch" not in html
    assert notification(sent).status is NotificationStatus.SENT
    # In the "School" group of the navigation, the current page marked.
    assert 'href="/alder/notices" aria-current="page">External notices</a>' in html


def test_the_notices_page_needs_its_permission_and_is_a_404_for_another_school(app, world, client):
    _la_notice("a", "placement-commissioned:41:la")
    sign_in(client, user_for("a.staff"))
    assert client.get("/alder/notices").status_code == 403
    assert "External notices" not in client.get("/alder/").get_data(as_text=True)
    client = fresh_client(app)
    sign_in(client, user_for("b.ap_leader"))
    assert client.get("/alder/notices").status_code == 404
    birch = client.get("/birch/notices")
    assert birch.status_code == 200 and "Nothing has been sent outside the trust yet." in birch.get_data(as_text=True)


# --- the trustee's admin -------------------------------------------------------------------------------------


def test_the_trustee_lists_failed_notifications_with_their_error(app, world, client):
    failed = queue_staff_prompt(world, key="k-failed")
    queue_staff_prompt(world, user_key="a.headteacher", key="k-pending")
    _fail(failed, error="SMTP refused the recipient: <no such mailbox>")
    sign_in(client, user_for("trust.designated_trustee"))
    html = client.get("/admin/admin_notification/?flt0_status_equals=failed").get_data(as_text=True)
    assert "a.dsl@test.example.org" in html and "a.headteacher@test.example.org" not in html
    assert "SMTP refused the recipient: &lt;no such mailbox&gt;" in html  # escaped
    everything = client.get("/admin/admin_notification/").get_data(as_text=True)
    assert "a.headteacher@test.example.org" in everything
    assert client.get(f"/admin/admin_notification/details/?id={failed}").status_code == 200


@pytest.mark.parametrize("url", ["/admin/admin_notification/", "/admin/admin_audit/",
                                 "/admin/admin_webhook_delivery/"])
def test_the_lists_that_only_grow_are_paged_without_counting_every_row(app, world, client, url):
    """Counting every email ever queued took 217 ms at 2.4 million rows (issue 18): previous and next instead."""
    queue_staff_prompt(world, key="k-one")
    sign_in(client, user_for("trust.designated_trustee"))
    statements = []
    listener = lambda _conn, _cursor, statement, *_args: statements.append(statement)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    assert not [s for s in statements if "count(" in s.lower()], statements


def test_queue_health_shows_queues_and_the_outbox(app, world, client):
    queue_staff_prompt(world)
    _fail(queue_staff_prompt(world, key="k2"))
    enqueue(DEFAULT, explode_for_test)
    run_worker()
    sign_in(client, user_for("trust.designated_trustee"))
    html = client.get("/admin/admin_queue_health/").get_data(as_text=True)
    assert '<th scope="row">aphub-test-email</th><td>0</td>' in html
    assert "Redis is unreachable" not in html
    assert "1 notification(s) failed." in html
    assert "RuntimeError: the test job failed on purpose" in html  # the failed RQ job, last line
    assert "tests.jobs.outbox_fixtures.explode_for_test" in html


def test_queue_health_says_when_redis_is_unreachable(app, world, client, redis_server):
    queue_staff_prompt(world)
    sign_in(client, user_for("trust.designated_trustee"))
    redis_server.stop()
    try:
        page = client.get("/admin/admin_queue_health/")
    finally:
        redis_server.start()
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Redis is unreachable: the queues cannot be read and workers cannot take jobs." in html
    assert "Waiting to send (or for a retry)" in html and "Oldest notification waiting to be sent:" in html


def test_the_outbox_admin_is_for_the_trustee_only(app, world):
    for key in ("a.ap_leader", "trust.trust_safeguarding_lead"):
        client = fresh_client(app)
        sign_in(client, user_for(key))
        assert client.get("/admin/admin_notification/").status_code == 403
        assert client.get("/admin/admin_queue_health/").status_code == 403


# --- flask jobs ... ------------------------------------------------------------------------------------------


def test_flask_jobs_dispatch_and_retry_notifications(app, world, smtp_sink):
    runner = app.test_cli_runner()
    first = queue_staff_prompt(world, key="k1")
    second = queue_staff_prompt(world, key="k2")
    _fail(first)
    _fail(second)
    result = runner.invoke(args=["jobs", "retry-notifications", "--id", str(first)])
    assert result.exit_code == 0 and result.output.strip() == f"1 failed notification(s) put back in the outbox: {first}"
    assert notification(first).status is NotificationStatus.PENDING
    assert notification(second).status is NotificationStatus.FAILED

    result = runner.invoke(args=["jobs", "dispatch"])
    assert result.exit_code == 0
    assert result.output.startswith("enqueued 0, already queued 1,")  # the retry enqueued it when it committed
    run_worker()
    assert notification(first).status is NotificationStatus.SENT

    result = runner.invoke(args=["jobs", "retry-notifications"])
    assert result.output.strip() == f"1 failed notification(s) put back in the outbox: {second}"
    assert runner.invoke(args=["jobs", "retry-notifications"]).output.strip() == \
        "0 failed notification(s) put back in the outbox"
    run_worker()
    assert len(smtp_sink.messages) == 2


def test_flask_jobs_failed_lists_failed_jobs_with_their_error(app):
    enqueue(DEFAULT, explode_for_test)
    run_worker()
    result = app.test_cli_runner().invoke(args=["jobs", "failed"])
    assert result.exit_code == 0
    assert "tests.jobs.outbox_fixtures.explode_for_test" in result.output
    assert "RuntimeError: the test job failed on purpose" in result.output


def test_flask_jobs_dispatch_says_when_redis_is_down(app, world, redis_server):
    nid = queue_staff_prompt(world)
    redis_server.stop()
    try:
        result = app.test_cli_runner().invoke(args=["jobs", "dispatch"])
    finally:
        redis_server.start()
    assert result.exit_code == 1 and "Redis is unreachable" in result.output
    assert notification(nid).status is NotificationStatus.PENDING
