"""What every part of the provider register shares: the Result, the task subjects, the reminder window."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app

from app.policy.provider_vetting import DEFAULT_REMINDER_WINDOW
from app.services import results

SUBJECT = "provider"  # tasks about a provider name it so: ("provider", id)
CONCERN_SUBJECT = "provider_concern"  # tasks and emails about one concern: ("provider_concern", id)


@dataclass
class Result(results.Result):
    """What a change did: the record, or the problems by field (nothing is saved when there are any)."""

    missing: list[str] = field(default_factory=list)  # check items still stopping approval (7.8)
    schools_told: list[int] = field(default_factory=list)


def reminder_window() -> timedelta:
    """How long before vetting expires the reminders start (PROVIDER_VETTING_REMINDER_DAYS, default 30)."""
    days = current_app.config.get("PROVIDER_VETTING_REMINDER_DAYS")
    return timedelta(days=int(days)) if days else DEFAULT_REMINDER_WINDOW
