"""Issue 3, done when: a task made by a sweep is in the right person's inbox, its email arrives through the SMTP
server, and a second sweep adds nothing. Runner, RQ worker, outbox and SMTP are all real."""
from __future__ import annotations

from jobs.connection import redis_connection
from jobs.runner import PeriodicRunner
from jobs.sweeps import calendar_readiness
from tests.helpers import school_time, sign_in
from tests.jobs.schedule_fixtures import Ids, calendars_for_a_and_b, notifications, run_worker, task_count


def plain_text(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_a_sweep_task_reaches_the_inbox_and_the_mailbox_once(app, world, client, smtp_sink):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    runner = PeriodicRunner(redis_connection(), runner_id="e2e")

    with school_time("2026-06-30 06:29"):
        runner.tick()
    with school_time("2026-06-30 06:31"):
        assert "calendar-readiness" in [r.job.name for r in runner.tick()]
        run_worker()  # the sweep, then the delivery jobs its outbox rows enqueued once committed

    # A and B each asked their AP leaders (the shared one leads A and C); C, with no calendar, asked for
    # this year's dates.
    messages = smtp_sink.wait_for(4)
    assert sorted(m["X-Envelope-To"] for m in messages) == sorted([
        ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"], ids.emails["b.ap_leader"], ids.emails["ac.ap_leader"]])
    by_recipient = {}
    for m in messages:
        by_recipient.setdefault(m["X-Envelope-To"], []).append(m)
    assert len(by_recipient[ids.emails["a.ap_leader"]]) == 1
    alder = by_recipient[ids.emails["a.ap_leader"]][0]
    assert alder["Subject"] == "New task at Alder School: Enter the 2026-27 term dates"
    body = plain_text(alder)
    assert "Due: Tue 14 Jul 2026, 17:00" in body
    assert "/alder/calendar/half-terms/new" in body
    assert sorted(m["Subject"] for m in by_recipient[ids.emails["ac.ap_leader"]]) == [
        "New task at Alder School: Enter the 2026-27 term dates",
        "New task at Cedar Infant School: Enter the 2025-26 term dates",
    ]

    with school_time("2026-06-30 08:00"):
        sign_in(client, ids.emails["a.ap_leader"])
        page = client.get("/alder/inbox").get_data(as_text=True)
    assert "Enter the 2026-27 term dates" in page
    assert 'href="/alder/calendar/half-terms/new"' in page

    before = (task_count(), len(notifications()), len(smtp_sink.messages))
    with school_time("2026-06-30 06:45"):
        # (the review sweep's slot too: no placement here, so it makes nothing)
        assert [r.job.name for r in runner.tick()] == ["half-termly-reviews", "outbox-dispatch",
                                                          "webhooks-dispatch"]
        calendar_readiness()  # a second sweep, run by hand
        run_worker()
    assert (task_count(), len(notifications()), len(smtp_sink.messages)) == before
