"""The oversight rules (issue 16): dashboard thresholds (app.policy.oversight_thresholds) and the report's
counting of attendance and cost (app.policy.ap_report), branch by branch."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.policy.ap_report import attendance_from_counts, cost_in_period, percentage
from app.policy.oversight_thresholds import (
    Measure,
    Rating,
    rate,
    rate_attendance,
    rate_count,
    vetting_ends_soon,
    welfare_check_overdue,
)

NOW = dt.datetime(2026, 3, 16, 11, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("measure, count, rating", [
    (Measure.PUPILS_IN_AP, 40, Rating.OK),  # a fact, never a warning
    (Measure.UNCONFIRMED_SESSIONS, 0, Rating.OK),
    (Measure.UNCONFIRMED_SESSIONS, 2, Rating.WATCH),
    (Measure.UNCONFIRMED_SESSIONS, 3, Rating.ACT),
    (Measure.OVERDUE_WELFARE_CHECKS, 1, Rating.ACT),
    (Measure.OPEN_WELFARE_CHECKS, 5, Rating.WATCH),
    (Measure.OVERDUE_REVIEWS, None, Rating.OK),
    (Measure.PART_TIME_TIMETABLES, 12, Rating.OK),  # a fact (section 9)
    (Measure.PART_TIME_PAST_SIX_WEEKS, 0, Rating.OK),
    (Measure.PART_TIME_PAST_SIX_WEEKS, 1, Rating.WATCH),  # 9.6, 9.7: the LA's six-to-eight-week review
    (Measure.PART_TIME_PAST_SIX_WEEKS, 9, Rating.WATCH),
])
def test_counts_are_coloured_by_their_thresholds(measure, count, rating):
    assert rate_count(measure, count) is rating
    assert rate(measure, count) is rating


@pytest.mark.parametrize("percentage, rating", [(None, Rating.OK), (89.9, Rating.ACT), (90.0, Rating.WATCH),
                                                (94.9, Rating.WATCH), (95.0, Rating.OK)])
def test_attendance_below_the_persistent_absence_line_is_act(percentage, rating):
    assert rate_attendance(percentage) is rating
    assert rate(Measure.ATTENDANCE_AT_AP, percentage) is rating


def test_a_welfare_check_is_overdue_an_hour_after_it_was_raised():
    assert not welfare_check_overdue(NOW - dt.timedelta(minutes=59), NOW)
    assert welfare_check_overdue(NOW - dt.timedelta(hours=1), NOW)


def test_vetting_ending_within_thirty_days():
    today = dt.date(2026, 3, 16)
    assert vetting_ends_soon(today + dt.timedelta(days=30), today)
    assert not vetting_ends_soon(today + dt.timedelta(days=31), today)
    assert not vetting_ends_soon(today - dt.timedelta(days=1), today)  # already expired: another list
    assert not vetting_ends_soon(None, today)


def test_attendance_from_counted_marks():
    assert attendance_from_counts({"B": 6, "O": 2, "L": 1, None: 5}) == (7, 9)  # L is present; unmarked left out
    assert attendance_from_counts({"D": 4}) == (0, 0)  # the other school's to count
    with pytest.raises(ValueError):
        attendance_from_counts({"??": 1})
    assert percentage(7, 9) == pytest.approx(77.78, abs=0.01) and percentage(1, 0) is None


@pytest.mark.parametrize("unit, expected", [
    ("session", Decimal("500.00")), ("day", Decimal("400.00")), ("week", Decimal("100.00")),
    ("term", Decimal("7.69")), ("placement", Decimal("50.00")),
])
def test_the_cost_of_a_period_by_the_agreements_unit(unit, expected):
    # 10 sessions on 8 days, from Monday 2 March to Friday 13 March (two weeks), started in the period
    cost = cost_in_period(Decimal("50.00"), unit, 10, 8, dt.date(2026, 3, 2), dt.date(2026, 3, 13), True)
    assert cost == expected  # a week's or term's rate x 2 weeks (a term is 13 weeks)


def test_cost_edge_cases():
    assert cost_in_period(None, "session", 10, 8, None, None, True) is None
    assert cost_in_period(Decimal(50), "week", 0, 0, None, None, True) == 0
    assert cost_in_period(Decimal(50), "placement", 3, 3, dt.date(2026, 3, 2), dt.date(2026, 3, 4), False) == 0
    with pytest.raises(ValueError):
        cost_in_period(Decimal(50), "fortnight", 1, 1, None, None, True)
