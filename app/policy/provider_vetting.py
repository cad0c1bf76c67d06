"""How long a provider stays vetted (policy 7.8, 7.9).

A provider is vetted for 12 months from the approval of its risk assessment (7.8), or until a material change in
provision or circumstances is recorded (7.9), when a new risk assessment is needed. A suspended provider takes no
new placements whatever its vetting. Reminders start a configurable window before expiry (30 days by default).

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from app.clock import to_local


@dataclass(frozen=True)
class Months:
    months: int

    def after(self, day: dt.date) -> dt.date:
        """The same day `months` later; a day the month lacks (31st, 29 February) falls back to its last day,
        so vetting never runs longer than the period."""
        index = day.month - 1 + self.months
        year, month = day.year + index // 12, index % 12 + 1
        for candidate in (day.day, 30, 29, 28):
            try:
                return dt.date(year, month, min(day.day, candidate))
            except ValueError:
                continue
        raise AssertionError("every month has a 28th")


VETTING_PERIOD = Months(12)  # 7.9: reviewed and updated annually
DEFAULT_REMINDER_WINDOW = dt.timedelta(days=30)


class VettingStatus(enum.StrEnum):
    NOT_VETTED = "not_vetted"
    VETTED = "vetted"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    LAPSED_MATERIAL_CHANGE = "lapsed_material_change"
    SUSPENDED = "suspended"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def allows_new_placements(self) -> bool:
        """7.8, 7.9: only a provider whose checks are current takes a new placement."""
        return self in (VettingStatus.VETTED, VettingStatus.EXPIRING)


_LABELS = {
    VettingStatus.NOT_VETTED: "Not vetted",
    VettingStatus.VETTED: "Vetted",
    VettingStatus.EXPIRING: "Vetting expiring",
    VettingStatus.EXPIRED: "Vetting expired",
    VettingStatus.LAPSED_MATERIAL_CHANGE: "Lapsed: material change",
    VettingStatus.SUSPENDED: "Suspended",
}


def _local_date(instant: dt.datetime | dt.date) -> dt.date:
    return to_local(instant).date() if isinstance(instant, dt.datetime) else instant


def vetted_until(approved_at: dt.datetime | dt.date) -> dt.date:
    """Policy 7.9: the last day a provider approved at `approved_at` is vetted — the day before the 12-month
    anniversary of the approval (in England's local date)."""
    return VETTING_PERIOD.after(_local_date(approved_at)) - dt.timedelta(days=1)


def vetting_status(approved_at: dt.datetime | None, material_change_at: dt.datetime | None,
                   suspended_at: dt.datetime | None, today: dt.date,
                   reminder_window: dt.timedelta = DEFAULT_REMINDER_WINDOW) -> VettingStatus:
    """Policy 7.8-7.9: where the provider's vetting stands today.

    Suspension outranks everything; no approved risk assessment is NOT_VETTED; a material change recorded after
    the approval lapses it; past `vetted_until` it has EXPIRED; inside the reminder window before that it is
    EXPIRING (still usable: the reminders are out); otherwise VETTED."""
    if suspended_at is not None:
        return VettingStatus.SUSPENDED
    if approved_at is None:
        return VettingStatus.NOT_VETTED
    if material_change_at is not None and material_change_at >= approved_at:
        return VettingStatus.LAPSED_MATERIAL_CHANGE
    last_day = vetted_until(approved_at)
    if today > last_day:
        return VettingStatus.EXPIRED
    if last_day - today < reminder_window:
        return VettingStatus.EXPIRING
    return VettingStatus.VETTED
