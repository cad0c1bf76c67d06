"""When a figure on the trust's dashboard needs attention (issue 16; policy 4.1, 4.2, 4.4, 4.5, 7.9, 8.1, 8.3).

The trust safeguarding lead scans one row per school. Each measure is coloured "ok", "watch" or "act" by the
thresholds kept here, once, so the dashboard, its trend table and any later report agree. The numbers come
from the policy where it gives them (the 90% persistent-absence line of 4.5, the half-termly review of 8.3,
the same-day welfare check of 4.4/4.5) and are otherwise the trust's own choice, written down here.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from app.policy.attendance import PERSISTENT_ABSENCE_THRESHOLD, WELFARE_ESCALATION


class Rating(enum.StrEnum):
    OK = "ok"
    WATCH = "watch"  # look at it today
    ACT = "act"  # someone must act now

    @property
    def label(self) -> str:
        return {"ok": "On track", "watch": "Watch", "act": "Act now"}[self.value]


# Policy 4.4, 4.5 (KCSIE): a welfare check is made the same day; once its first escalation is due (an hour
# after it was raised, the welfare task's rule) it counts as overdue on the dashboard.
WELFARE_CHECK_OVERDUE_AFTER: dt.timedelta = WELFARE_ESCALATION
# Policy 7.9: checks renewed before they lapse; the dashboard counts the providers in use whose vetting ends
# within this many days.
PROVIDER_EXPIRY_WINDOW_DAYS = 30
# Policy 4.5: below this attendance at AP is the persistent-absence line; within WATCH_MARGIN above it, watch.
ATTENDANCE_ACT_BELOW = PERSISTENT_ABSENCE_THRESHOLD
ATTENDANCE_WATCH_MARGIN = 5.0


class Measure(enum.StrEnum):
    """The dashboard's measures, in the order the row shows them."""

    PUPILS_IN_AP = "pupils_in_ap"
    UNCONFIRMED_SESSIONS = "unconfirmed_sessions"
    OPEN_WELFARE_CHECKS = "open_welfare_checks"
    OVERDUE_WELFARE_CHECKS = "overdue_welfare_checks"
    OVERDUE_REVIEWS = "overdue_reviews"
    OVERDUE_QA_VISITS = "overdue_qa_visits"
    ATTENDANCE_AT_AP = "attendance_at_ap"
    PROVIDERS_EXPIRING = "providers_expiring"
    PART_TIME_TIMETABLES = "part_time_timetables"
    PART_TIME_PAST_SIX_WEEKS = "part_time_past_six_weeks"

    @property
    def label(self) -> str:
        return MEASURES[self].label


@dataclass(frozen=True)
class MeasureRule:
    label: str
    policy: str
    # For a count: 0 is ok; from `watch_from` it is watch; from `act_from` act. None: never that rating.
    watch_from: int | None = 1
    act_from: int | None = None


MEASURES: dict[Measure, MeasureRule] = {
    Measure.PUPILS_IN_AP: MeasureRule("Pupils in AP", "4.1, 4.2", watch_from=None),  # a fact, not a warning
    Measure.UNCONFIRMED_SESSIONS: MeasureRule("Sessions unconfirmed past the cut-off", "4.5", 1, 3),
    Measure.OPEN_WELFARE_CHECKS: MeasureRule("Open welfare checks", "4.4, 4.5", 1, None),
    Measure.OVERDUE_WELFARE_CHECKS: MeasureRule("Overdue welfare checks", "4.4, 4.5", None, 1),
    Measure.OVERDUE_REVIEWS: MeasureRule("Overdue half-termly reviews", "8.3", 1, 3),
    Measure.OVERDUE_QA_VISITS: MeasureRule("Overdue QA visits", "8.1", 1, 3),
    Measure.ATTENDANCE_AT_AP: MeasureRule("Attendance at AP this half-term", "4.5"),
    Measure.PROVIDERS_EXPIRING: MeasureRule("Providers' vetting ending within 30 days", "7.9", 1, None),
    # Section 9: pupils on an approved part-time timetable today (a fact); those running past six weeks are
    # watched, as the LA's reviews after six to eight weeks ask (9.7; reference/statutory-facts.md).
    Measure.PART_TIME_TIMETABLES: MeasureRule("Pupils on a part-time timetable", "9.5", watch_from=None),
    Measure.PART_TIME_PAST_SIX_WEEKS: MeasureRule("Part-time timetables past six weeks", "9.6, 9.7", 1, None),
}


def rate_count(measure: Measure, count: int | None) -> Rating:
    """Issue 16: how a count on the dashboard is coloured (the thresholds of MEASURES; policy section per
    measure)."""
    rule = MEASURES[measure]
    if count is None:
        return Rating.OK
    if rule.act_from is not None and count >= rule.act_from:
        return Rating.ACT
    if rule.watch_from is not None and count >= rule.watch_from:
        return Rating.WATCH
    return Rating.OK


def rate_attendance(percentage: float | None) -> Rating:
    """Policy 4.5: attendance at AP below the persistent-absence line is "act", within the margin above it
    "watch"; no possible session yet is "ok" (nothing to say)."""
    if percentage is None:
        return Rating.OK
    if percentage < ATTENDANCE_ACT_BELOW:
        return Rating.ACT
    if percentage < ATTENDANCE_ACT_BELOW + ATTENDANCE_WATCH_MARGIN:
        return Rating.WATCH
    return Rating.OK


def rate(measure: Measure, value) -> Rating:
    """The rating of any dashboard measure's value."""
    if measure is Measure.ATTENDANCE_AT_AP:
        return rate_attendance(value)
    return rate_count(measure, value)


def welfare_check_overdue(raised_at: dt.datetime, now: dt.datetime) -> bool:
    """Policy 4.4, 4.5: an open welfare check is overdue once its first escalation is due."""
    return now - raised_at >= WELFARE_CHECK_OVERDUE_AFTER


def vetting_ends_soon(vetted_until: dt.date | None, today: dt.date) -> bool:
    """Policy 7.9: a provider in use whose vetting ends within the window (today included, not yet past)."""
    return vetted_until is not None and today <= vetted_until <= today + dt.timedelta(days=PROVIDER_EXPIRY_WINDOW_DAYS)
