"""Off-site direction rules (section 6): the letter to parents at least 2 school days before the start, over
weekends, half-terms, bank holidays and training days; the time limit and review."""
from __future__ import annotations

import datetime as dt

import pytest

from app import clock
from app.policy.off_site_direction import (
    latest_letter_date,
    letter_date_problem,
    number_of_days,
    time_limit_problems,
)
from app.school_calendar import HalfTermDates, SchoolCalendar
from tests.helpers import school_time

D = dt.date
CALENDAR = SchoolCalendar(
    [HalfTermDates(2025, "spring", 1, D(2026, 1, 5), D(2026, 2, 13)),
     HalfTermDates(2025, "spring", 2, D(2026, 2, 23), D(2026, 3, 27)),
     HalfTermDates(2025, "summer", 1, D(2026, 4, 13), D(2026, 5, 22))],
    training_days=[D(2026, 3, 6)],  # a Friday
)


@pytest.mark.parametrize("start, latest, why", [
    (D(2026, 3, 18), D(2026, 3, 16), "a Wednesday start: Monday, two school days before"),
    (D(2026, 3, 17), D(2026, 3, 13), "a Tuesday start: back over the weekend to Friday"),
    (D(2026, 3, 16), D(2026, 3, 12), "a Monday start: Thursday"),
    (D(2026, 3, 9), D(2026, 3, 4), "a Monday after a Friday training day: Wednesday"),
    (D(2026, 2, 23), D(2026, 2, 12), "the first day after half-term: back over the half-term week"),
    (D(2026, 5, 5), D(2026, 4, 30), "the Tuesday after the early May bank holiday: Thursday"),
    (D(2026, 4, 14), D(2026, 3, 27), "the second day of summer term: back over Easter to the last day of spring"),
])
def test_the_letter_must_go_two_school_days_before_the_start(start, latest, why):
    assert latest_letter_date(start, CALENDAR) == latest, why


def test_with_no_calendar_that_far_back_the_date_cannot_be_worked_out():
    assert latest_letter_date(D(2026, 1, 6), CALENDAR) is None
    assert latest_letter_date(D(2026, 3, 16), SchoolCalendar([])) is None


def test_recording_the_letter_refuses_a_date_too_late_or_still_to_come():
    start = D(2026, 5, 5)
    latest = latest_letter_date(start, CALENDAR)
    with school_time("2026-05-01 16:00"):
        today = clock.today()
        assert letter_date_problem(D(2026, 4, 30), start, latest, today) is None
        assert letter_date_problem(D(2026, 4, 28), start, latest, today) is None
        assert "must be sent by Thursday 30 April 2026" in letter_date_problem(D(2026, 5, 1), start, latest, today)
        assert "still to come" in letter_date_problem(D(2026, 5, 2), start, latest, today)
        assert "term dates" in letter_date_problem(D(2026, 4, 30), start, None, today)


def test_a_direction_is_time_limited_with_a_review_between_start_and_end():
    start = D(2026, 3, 16)
    assert time_limit_problems(start, D(2026, 4, 20), D(2026, 5, 22)) == {}
    assert set(time_limit_problems(start, None, None)) == {"review_on", "ends_by"}
    assert "end after it starts" in time_limit_problems(start, start, start)["ends_by"]
    assert "on or after the start" in time_limit_problems(start, D(2026, 3, 13), D(2026, 5, 22))["review_on"]
    assert "before the end" in time_limit_problems(start, D(2026, 6, 1), D(2026, 5, 22))["review_on"]


def test_the_number_of_days_counts_school_days_with_a_session():
    # Mon 16 to Fri 27 March, sessions on Mondays and Wednesdays: 16, 18, 23, 25
    assert number_of_days(D(2026, 3, 16), D(2026, 3, 27), {0, 2}, CALENDAR) == 4
    # over the Easter holidays nothing counts
    assert number_of_days(D(2026, 3, 28), D(2026, 4, 12), {0, 1, 2, 3, 4}, CALENDAR) == 0
