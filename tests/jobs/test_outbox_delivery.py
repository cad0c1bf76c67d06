"""Delivery through a real RQ worker on the real Redis to the real SMTP sink: the dispatcher, the per-school
scope of a delivery job, and the daily digest."""
from __future__ import annotations

from datetime import UTC, timedelta

import redis
from sqlalchemy import select

from app.extensions import db
from app.models import Delivery, NotificationPreference, NotificationStatus, User
from jobs.outbox import DeliveryRef, deliver_notification, dispatch_outbox, retry_delay, send_daily_digests
from tests.helpers import school_time
from tests.jobs.outbox_fixtures import (
    all_notifications,
    notification,
    queue_staff_prompt,
    received,
    run_worker,
    school_id,
)


def test_a_queued_notification_is_delivered_once_by_the_worker(app, world, smtp_sink):
    nid = queue_staff_prompt(world)
    run_worker()
    run_worker()  # nothing left to do: no second copy
    row = notification(nid)
    assert row.status is NotificationStatus.SENT and row.attempts == 1 and row.sent_at is not None
    assert row.claimed_at is None and row.last_error is None
    assert len(smtp_sink.messages) == 1
    msg = received(smtp_sink)[0]
    assert msg["Message-ID"] == row.message_id
    assert msg["To"] == '"A Designated Safeguarding Lead (DSL)" <a.dsl@test.example.org>'
    assert msg["X-Envelope-To"] == "a.dsl@test.example.org"
    assert msg["Subject"] == "Welfare check due for a pupil"
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/alternative", "text/plain", "text/html"]


def test_dispatch_finds_rows_that_were_never_enqueued_and_enqueues_each_once(app, world, redis_server, smtp_sink):
    first = queue_staff_prompt(world, key="prompt:1")
    second = queue_staff_prompt(world, user_key="a.headteacher", key="prompt:2", urgent=True)
    redis.Redis.from_url(redis_server.url).flushall()  # as if Redis had lost the jobs
    report = dispatch_outbox()
    assert (report.enqueued, sorted(report.ids)) == (2, sorted([first, second]))
    again = dispatch_outbox()
    assert (again.enqueued, again.already_queued) == (0, 2)
    run_worker()
    assert sorted(m["Message-ID"] for m in smtp_sink.messages) == sorted(
        notification(i).message_id for i in (first, second))
    assert dispatch_outbox().enqueued == 0  # sent rows are not looked at again


def test_a_delivery_job_only_acts_in_the_school_it_names(app, world, smtp_sink):
    nid = queue_staff_prompt(world, school="a")
    other_school = school_id("b")
    assert deliver_notification(nid, other_school) == "not due, taken or done"
    assert notification(nid).status is NotificationStatus.PENDING and smtp_sink.messages == []
    assert deliver_notification(nid, notification(nid).school_id) == "sent"
    assert len(smtp_sink.messages) == 1


def test_a_trust_level_notification_is_delivered_in_the_system_scope(app, world, smtp_sink, client):
    from tests.helpers import post_form, sign_in

    sign_in(client, world.users["trust.designated_trustee"])
    assert post_form(client, "/account/test-email", {"test_email-send": "1"}, form_url="/account/").status_code == 302
    (row,) = all_notifications()
    assert row.school_id is None and row.delivery is Delivery.IMMEDIATE
    run_worker()
    assert notification(row.id).status is NotificationStatus.SENT
    (msg,) = received(smtp_sink)
    assert msg["To"] == "Designated Trustee for Alternative Provision <designated_trustee@trust.example.org>"
    assert "This is the test email you asked for" in msg.get_body(("plain",)).get_content()


def test_retry_delays_grow_then_stay_hourly():
    assert [retry_delay(n) for n in range(1, 8)] == [timedelta(minutes=m) for m in (1, 2, 5, 15, 60, 60, 60)]


def test_each_attempt_has_its_own_job_id():
    from datetime import datetime

    at = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    ids = {DeliveryRef(5, 1, False, 0, None).job_id, DeliveryRef(5, 1, False, 1, at).job_id,
           DeliveryRef(5, 1, False, 1, at + timedelta(minutes=1)).job_id}
    assert len(ids) == 3 and all(i.startswith("deliver-notification-5-") for i in ids)


def _choose_digest(*emails: str) -> None:
    from tenants import system_scope

    with system_scope("test: choose the daily digest"):
        for email in emails:
            db.session.scalar(select(User).where(User.email == email)).notification_preference = \
                NotificationPreference.DAILY_DIGEST
        db.session.commit()


def test_daily_digest_folds_each_persons_waiting_prompts_into_one_email(app, world, smtp_sink):
    _choose_digest("a.dsl@test.example.org", "a.headteacher@test.example.org")
    with school_time("2026-03-30 15:00"):
        p1 = queue_staff_prompt(world, key="review:1")
        p2 = queue_staff_prompt(world, key="review:2")
        p3 = queue_staff_prompt(world, user_key="a.headteacher", key="review:3")
        urgent = queue_staff_prompt(world, key="absence:1", urgent=True)
        run_worker()
        assert len(smtp_sink.messages) == 1  # only the urgent one went at once
        assert notification(p1).status is NotificationStatus.PENDING
    with school_time("2026-03-31 07:00"):
        report = send_daily_digests()
        assert (report.digests, report.folded) == (2, 3)
        assert send_daily_digests().digests == 0  # run twice: nothing doubled
        run_worker()
    assert len(smtp_sink.messages) == 3
    digests = {m["To"].addresses[0].addr_spec: m for m in received(smtp_sink)[1:]}
    dsl_digest = digests["a.dsl@test.example.org"]
    assert dsl_digest["Subject"] == "AP Hub: 2 prompts for Tuesday 31 March 2026"
    text = dsl_digest.get_body(("plain",)).get_content()
    assert text.count("Welfare check due for a pupil") == 2 and "about Pupil P7" in text
    digest_rows = [n for n in all_notifications() if n.template == "daily_digest"]
    assert {n.dedupe_key for n in digest_rows} == {
        f"daily-digest:{notification(p1).recipient_user_id}:2026-03-31",
        f"daily-digest:{notification(p3).recipient_user_id}:2026-03-31"}
    assert all(n.status is NotificationStatus.SENT for n in digest_rows)
    for folded in (p1, p2, p3):
        row = notification(folded)
        assert row.status is NotificationStatus.IN_DIGEST and row.digest_id in {d.id for d in digest_rows}
    assert notification(urgent).digest_id is None


def test_a_prompt_after_todays_digest_waits_for_tomorrows(app, world, smtp_sink):
    _choose_digest("a.dsl@test.example.org")
    with school_time("2026-03-31 06:00"):
        queue_staff_prompt(world, key="review:1")
    with school_time("2026-03-31 07:00"):
        assert send_daily_digests().digests == 1
    with school_time("2026-03-31 10:00"):
        late = queue_staff_prompt(world, key="review:2")
        assert send_daily_digests().digests == 0
        assert notification(late).status is NotificationStatus.PENDING
    with school_time("2026-04-01 07:00"):
        assert send_daily_digests().folded == 1
        run_worker()
    assert len(smtp_sink.messages) == 2 and notification(late).status is NotificationStatus.IN_DIGEST
