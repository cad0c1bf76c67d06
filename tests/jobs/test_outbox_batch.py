"""A sweep's emails go as batch jobs over one SMTP connection (issue 18), keeping every outbox guarantee: one
row, one claim, one record and one Message-ID per email; a batch that did not deliver everything leaves the
rest for the dispatcher."""
from __future__ import annotations

from rq import Queue
from rq.job import Job
from sqlalchemy import select

from app.extensions import db
from app.models import Audience, NotificationStatus
from jobs.connection import EMAIL, queue_name, redis_connection
from jobs.outbox import BATCH_FROM, deliver_batch, dispatch_outbox
from tenants import school_scope
from tests.jobs.outbox_fixtures import (  # noqa: F401  (worker_process is a fixture)
    all_notifications,
    message_ids,
    run_worker,
    school_id,
    user_for,
)


def _queue_many(n: int) -> list[int]:
    """n staff prompts queued in one commit, as a sweep queues them."""
    from app.services.notifications import queue_notification

    with school_scope(school_id()):
        user = user_for("a.dsl")
        rows = [queue_notification(
            dedupe_key=f"sweep:{i}", audience=Audience.STAFF, recipient_email=user.email,
            recipient_name=user.full_name, recipient_user=user, template="notice",
            context={"subject": f"Prompt {i}", "paragraphs": ["Please act."], "school_name": "Alder School"})
            for i in range(n)]
        db.session.commit()
        return [r.id for r in rows]


def _email_jobs() -> list[Job]:
    conn = redis_connection()
    return [j for j in Job.fetch_many(Queue(queue_name(EMAIL), connection=conn).get_job_ids(), connection=conn) if j]


def test_a_sweeps_emails_go_as_one_batch_over_one_connection_each_its_own_message(app, world, smtp_sink):
    ids = _queue_many(BATCH_FROM + 5)
    jobs = _email_jobs()
    assert [j.func_name for j in jobs] == ["jobs.outbox.batch.deliver_batch"]
    assert dispatch_outbox().enqueued == 0  # the batch will deliver them: nothing enqueued twice
    run_worker()
    rows = all_notifications()
    assert {r.id for r in rows} == set(ids)
    assert all(r.status is NotificationStatus.SENT and r.attempts == 1 for r in rows)
    assert sorted(message_ids(smtp_sink)) == sorted(r.message_id for r in rows)
    assert len(set(message_ids(smtp_sink))) == len(ids)
    assert Job.fetch(jobs[0].id, connection=redis_connection()).return_value() == {
        "sent": len(ids), "smtp_connections": 1}


def test_a_row_refused_in_a_batch_is_retried_alone_and_the_rest_are_sent(app, world, smtp_sink):
    ids = _queue_many(BATCH_FROM)
    items = [[i, school_id()] for i in ids]

    def refuse_the_next_one():
        if len(smtp_sink.messages) == 3:
            smtp_sink.refuse_next = 1  # the fourth message is refused; the connection is dropped, a new one opened

    smtp_sink.on_data = refuse_the_next_one
    outcomes = deliver_batch(items)
    assert outcomes == {"sent": len(ids) - 1, "will retry": 1, "smtp_connections": 2}
    by_status = {r.id: (r.status, r.attempts) for r in all_notifications()}
    assert by_status[ids[3]] == (NotificationStatus.PENDING, 1)
    assert all(by_status[i] == (NotificationStatus.SENT, 1) for i in ids if i != ids[3])
    assert len(smtp_sink.messages) == len(ids) - 1


def test_rows_a_finished_batch_left_pending_are_enqueued_again_by_the_dispatcher(app, world, smtp_sink):
    ids = _queue_many(BATCH_FROM)
    [batch] = _email_jobs()
    batch.cancel()  # it will never run: as if it had failed before delivering anything
    report = dispatch_outbox()
    assert sorted(report.ids) == sorted(ids)
    run_worker()
    assert all(r.status is NotificationStatus.SENT for r in all_notifications())
    assert len(message_ids(smtp_sink)) == len(ids)


def test_a_batch_run_twice_sends_each_email_once(app, world, smtp_sink):
    ids = _queue_many(BATCH_FROM)
    items = [[i, school_id()] for i in ids]
    assert deliver_batch(items)["sent"] == len(ids)
    assert deliver_batch(items) == {"not due, taken or done": len(ids), "smtp_connections": 0}
    assert len(smtp_sink.messages) == len(ids)
    with school_scope(school_id()):
        from app.models import Notification

        assert db.session.scalar(select(db.func.count(Notification.id))) == len(ids)
