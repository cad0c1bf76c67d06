"""The rules behind the figures of the headteacher's report on the use of AP (policy 4.1, 4.2; issue 16).

4.2: the headteacher reports on the use of alternative provision to the governing body and the trust and
makes sure the resources used represent value for money. The report counts; it never names a pupil (4.1: the
governing body monitors use through aggregates; design invariant 8). What is counted, and how a cost agreed
per session, day, week, term or placement becomes the cost of a period, is decided here once.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from app.policy.attendance import REGISTER_CODES

# A term is about thirteen school weeks (three terms in a 39-week year): a cost agreed per term is spread over
# the weeks a placement ran in the period at that rate.
WEEKS_PER_TERM = 13


def attendance_from_counts(counts: Mapping[str | None, int]) -> tuple[int, int]:
    """Policy 4.5, as app.policy.attendance.attendance_percentage, for marks already counted by register code:
    (attended, possible). Unmarked sessions (None) are left out."""
    attended = possible = 0
    for code, n in counts.items():
        if code is None:
            continue
        rule = REGISTER_CODES.get(code)
        if rule is None:
            raise ValueError(f"{code!r} is not a register code")
        if rule.is_possible:
            possible += n
            attended += n if rule.counts_as_attendance else 0
    return attended, possible


def percentage(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def cost_in_period(amount: Decimal | None, unit: str | None, sessions: int, days: int, first_day: dt.date | None,
                   last_day: dt.date | None, started_in_period: bool) -> Decimal | None:
    """Policy 4.2 (value for money): what a placement cost in the period, from the agreement's cost (7.11):
    per session x the sessions it was due in the period; per day x the days; per week x the weeks from its first
    to its last session in the period; per term x those weeks / WEEKS_PER_TERM; per placement, all of it in the
    period it started. None when no cost is agreed."""
    if amount is None or unit is None:
        return None
    amount = Decimal(amount)
    if unit == "session":
        return amount * sessions
    if unit == "day":
        return amount * days
    if unit in ("week", "term"):
        if not sessions or first_day is None or last_day is None:
            return Decimal(0)
        weeks = (last_day - first_day).days // 7 + 1
        return amount * weeks if unit == "week" else (amount * weeks / WEEKS_PER_TERM).quantize(Decimal("0.01"))
    if unit == "placement":
        return amount if started_in_period else Decimal(0)
    raise ValueError(f"{unit!r} is not a cost unit")
