"""Webhook events delivered through a real RQ worker on the real Redis to a receiving system on loopback that
checks every signature (issue 17 item 5): signed, retried with backoff through the outbox's claim protocol, and
delivered exactly once per event id per subscription."""
from __future__ import annotations

from datetime import timedelta

import redis

from app.extensions import db
from app.models import Placement, WebhookDeliveryStatus
from app.services import placements as placement_service
from jobs.webhook_deliveries import deliver_webhook, dispatch_webhooks, retry_delay
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.outbox_fixtures import run_worker
from tests.placements.conftest import TODAY, enter_calendar, make_ready_placement
from tests.webhooks.conftest import deliveries, events, subscribe


def _start_placement(world) -> int:
    enter_calendar(world.a.id)
    ready = make_ready_placement(world)
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        assert placement_service.start_placement(placement, world.users["a.ap_leader"]).ok
    return ready.placement_id


def test_a_started_placement_reaches_the_receiver_signed_with_ids_and_no_names(app, world, receiver):
    school_a = {"id": world.a.id, "urn": world.a.urn}  # world objects go stale once a job has run
    with school_time(TODAY):
        subscription_id = subscribe(world, receiver, "placement.started", "la_notice.queued")
        placement_id = _start_placement(world)
        run_worker()
        run_worker()  # nothing left: no second copy
    assert sorted(r.event_type for r in receiver.requests) == ["la_notice.queued", "placement.started"]
    assert all(r.verified and r.answered == 200 for r in receiver.requests)
    assert len({r.event_id for r in receiver.requests}) == 2
    started = next(r for r in receiver.requests if r.event_type == "placement.started")
    assert started.signature.startswith("t=") and ",v1=" in started.signature
    payload = started.payload
    assert payload["id"] == started.event_id and payload["type"] == "placement.started"
    assert payload["school"] == school_a
    assert payload["data"]["placement_id"] == placement_id and payload["data"]["start_date"] == "2026-03-16"
    notice = next(r for r in receiver.requests if r.event_type == "la_notice.queued").payload["data"]
    assert notice["notice"] == "placement_commissioned" and notice["audience"] == "local_authority"
    for request in receiver.requests:  # ids and the school: never the pupil's name, UPN or birth date
        assert b"Robin" not in request.body and b"2012-05-17" not in request.body and b"upn" not in request.body
    rows = deliveries()
    assert [(d.subscription_id, d.status, d.attempts, d.last_response_code) for d in rows] == [
        (subscription_id, WebhookDeliveryStatus.DELIVERED, 1, 200)] * 2
    assert {d.event.event_id for d in rows} == {r.event_id for r in receiver.requests}


def test_a_receiver_that_fails_twice_then_recovers_gets_each_event_exactly_once(app, world, receiver):
    receiver.fail_first = 2
    base = app.config["WEBHOOK_BACKOFF_SECONDS"]
    with school_time(TODAY) as frozen:
        subscribe(world, receiver, "placement.started", "la_notice.queued")
        _start_placement(world)
        run_worker()  # first attempts: refused
        assert {(d.status, d.attempts, d.last_response_code) for d in deliveries()} == {
            (WebhookDeliveryStatus.PENDING, 1, 503)}
        assert dispatch_webhooks().enqueued == 0  # not due yet: the retry waits its backoff
        for failed in (1, 2):
            frozen.tick(retry_delay(failed, base) + timedelta(seconds=1))
            run_worker(with_scheduler=True)  # the retry scheduled in RQ runs on its own
        frozen.tick(timedelta(hours=2))
        assert dispatch_webhooks().enqueued == 0
        run_worker(with_scheduler=True)
    accepted = receiver.accepted()
    assert len(accepted) == 2 and len({r.event_id for r in accepted}) == 2
    assert len(receiver.requests) == 6 and all(r.verified for r in receiver.requests)
    assert [(d.status, d.attempts, d.last_response_code, d.last_error) for d in deliveries()] == [
        (WebhookDeliveryStatus.DELIVERED, 3, 200, None)] * 2


def test_backoff_doubles_up_to_six_hours():
    assert [retry_delay(n, 60) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(20, 60) == timedelta(hours=6)


def test_the_dispatcher_finds_deliveries_redis_lost_and_a_second_job_claims_nothing(app, world, receiver,
                                                                                  redis_server):
    with school_time(TODAY):
        subscribe(world, receiver, "placement.started")
        _start_placement(world)
        redis.Redis.from_url(redis_server.url).flushall()  # as if Redis had lost the jobs
        assert dispatch_webhooks().enqueued == 1
        assert dispatch_webhooks().enqueued == 0  # already queued
        run_worker()
        (row,) = deliveries()
        assert deliver_webhook(row.id) == "not due, taken or done"
    assert len(receiver.requests) == 1 and receiver.requests[0].verified


def test_a_wrong_secret_fails_the_receivers_check_and_is_retried_not_delivered(app, world, receiver):
    with school_time(TODAY):
        subscribe(world, receiver, "placement.started")
        receiver.secret = "whsec_not-the-one-shown"
        _start_placement(world)
        run_worker()
    (request,) = receiver.requests
    assert not request.verified and request.answered == 401
    (row,) = deliveries()
    assert (row.status, row.attempts, row.last_response_code) == (WebhookDeliveryStatus.PENDING, 1, 401)
    assert "HTTP 401" in row.last_error


def test_a_receiver_now_inside_this_machine_gets_nothing_and_the_delivery_says_why(app, world, receiver,
                                                                                  monkeypatch):
    with school_time(TODAY):
        subscribe(world, receiver, "placement.started")
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK_HTTP", False)  # as production is
        _start_placement(world)
        run_worker()
    assert receiver.requests == []
    (row,) = deliveries()
    assert (row.status, row.attempts, row.last_response_code) == (WebhookDeliveryStatus.PENDING, 1, None)
    assert "attempt 1: not sent: 127.0.0.1 resolves to 127.0.0.1, this machine" in row.last_error


def test_after_the_last_attempt_it_fails_and_the_trustee_retries_it(app, world, receiver, monkeypatch):
    from app.services.webhook_subscriptions import retry_failed_deliveries
    from tenants import trust_scope
    from tests.jobs.outbox_fixtures import user_for

    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 2)
    receiver.fail_first = 2
    with school_time(TODAY) as frozen:
        subscribe(world, receiver, "placement.started")
        _start_placement(world)
        run_worker()
        frozen.tick(timedelta(minutes=2))
        run_worker(with_scheduler=True)
        (row,) = deliveries()
        assert (row.status, row.attempts, row.next_attempt_at) == (WebhookDeliveryStatus.FAILED, 2, None)
        assert "attempt 2: HTTP 503" in row.last_error
        frozen.tick(timedelta(hours=7))
        assert dispatch_webhooks().enqueued == 0  # failed stays failed until the trustee retries it
        trustee = user_for("trust.designated_trustee")
        with trust_scope(trustee.id, "test: retry"):
            assert retry_failed_deliveries([row.id], actor_id=trustee.id) == [row.id]
        assert dispatch_webhooks().enqueued == 1
        run_worker()
    (row,) = deliveries()
    assert (row.status, row.attempts, row.last_response_code) == (WebhookDeliveryStatus.DELIVERED, 3, 200)
    assert len(receiver.accepted()) == 1


def test_a_delivery_whose_worker_died_mid_send_is_put_back_marked_and_sent(app, world, receiver):
    from sqlalchemy import update

    from app.models import WebhookDelivery
    from tenants import system_scope

    with school_time(TODAY) as frozen:
        subscribe(world, receiver, "placement.started")
        _start_placement(world)
        (row,) = deliveries()
        with system_scope("test: a worker claimed it, then died"):
            db.session.execute(update(WebhookDelivery).values(status=WebhookDeliveryStatus.SENDING,
                                                             claimed_at=frozen().astimezone()))
            db.session.commit()
        run_worker()  # the first job finds it taken
        assert receiver.requests == []
        frozen.tick(timedelta(seconds=app.config["WEBHOOK_CLAIM_TIMEOUT_SECONDS"] + 1))
        report = dispatch_webhooks()
        assert (report.reclaimed, report.enqueued) == (1, 1)
        run_worker()
    (row,) = deliveries()
    assert row.status is WebhookDeliveryStatus.DELIVERED and row.attempts == 2 and row.reclaimed_at is not None
    assert len(receiver.accepted()) == 1


def test_an_event_nobody_subscribes_to_is_not_recorded_and_one_emitted_twice_is_recorded_once(app, world,
                                                                                             receiver):
    from app.models import WebhookEventType
    from app.services import webhooks

    with school_time(TODAY):
        _start_placement(world)
        assert events() == []  # no subscriber: nothing kept
        subscribe(world, receiver, "placement.started")
        with school_scope(world.a.id):
            first = webhooks.emit(WebhookEventType.PLACEMENT_STARTED, "41", {"placement_id": 41}, world.a.id)
            again = webhooks.emit(WebhookEventType.PLACEMENT_STARTED, "41", {"placement_id": 41}, world.a.id)
            assert again is first
            db.session.commit()
            later = webhooks.emit(WebhookEventType.PLACEMENT_STARTED, "41", {"placement_id": 41}, world.a.id)
            assert later.id == first.id
            db.session.commit()
        run_worker()
    assert len(events()) == 1 and len(deliveries()) == 1 and len(receiver.accepted()) == 1
