"""Delivering many notifications in one job over one SMTP connection (issue 18: a sweep's 1,161 emails took
78 s as one forked job and one SMTP connection each).

Nothing of the one-message protocol changes: each email is still its own outbox row, claimed by its own
conditional UPDATE committed before it is sent, recorded as sent the moment the server accepts it, with its
own Message-ID; no database connection is held while SMTP talks. Only the job and the connection are shared.
A batch stopped half-way (the worker killed) leaves the rest unclaimed, and dispatch_outbox enqueues them
again once the batch's job is no longer waiting or running.
"""
from __future__ import annotations

import logging
from collections import Counter
from itertools import groupby

from flask import current_app

from app.mail import MailConnection, MailSettings
from jobs.context import _app_context, in_school, in_system
from jobs.outbox.delivery import _deliver

log = logging.getLogger(__name__)

# Emails per batch job: big enough that a sweep's thousand emails are a few jobs, small enough that several
# mail workers share a sweep and a batch stopped half-way leaves little to wait for the dispatcher.
BATCH_SIZE = 100


def deliver_batch(items: list[list[int | None]]) -> dict[str, int]:
    """Deliver each [notification id, school id] in turn over one SMTP connection. Returns the outcomes
    counted ("sent", "will retry", "not due, taken or done"...) and the SMTP connections opened
    ("smtp_connections"). Safe to run twice: each claim is atomic."""

    outcomes: Counter[str] = Counter()
    with _app_context():
        settings = MailSettings.from_config(current_app.config)
        with MailConnection(settings) as mailer:
            # One tenant scope for each run of the same school's emails (a sweep's are mostly one school's).
            for school_id, run in groupby(items, key=lambda item: item[1]):
                scope = (in_school(school_id) if school_id is not None
                         else in_system("outbox: deliver a notification that belongs to no school"))
                with scope:
                    for notification_id, _ in run:
                        outcomes[_deliver(notification_id, mailer)] += 1
        log.info("outbox batch: %s over %s SMTP connection(s)", dict(outcomes), mailer.connections)
    return {**outcomes, "smtp_connections": mailer.connections}
