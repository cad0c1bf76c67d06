"""Oversight sweeps (issue 16): remind the trust safeguarding lead ahead of the AP policy's review (policy 12.2)."""
from __future__ import annotations

from app import clock
from app.extensions import db
from app.services.complaints import review_reminders
from tenants import system_scope


def policy_review_reminders() -> int:
    """Once per review, from 60 days before its date: an email to the trust safeguarding lead (the outbox's
    dedupe key makes a repeated run a no-op). Trust-level records: a system scope, named for the log."""
    with system_scope("policy review reminders (12.2)"):
        sent = review_reminders(clock.today())
        db.session.commit()
    return sent
