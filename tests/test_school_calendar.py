"""The one calendar, as plain Python: school days, half-terms, bank holidays, training days, and the demo's
school-year generator checked against the reference table (reference/calendar.md)."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest

from app import clock
from app.school_calendar import (
    CalendarNotEntered,
    DayKind,
    HalfTermDates,
    SchoolCalendar,
    academic_year_of,
    bank_holiday_name,
    easter_sunday,
    generate_school_year,
    half_term_problems,
    training_day_problem,
)
from tests.helpers import school_time

# reference/calendar.md: Derbyshire County 2025-26
REFERENCE_2025 = [
    HalfTermDates(2025, "autumn", 1, date(2025, 9, 4), date(2025, 10, 24)),
    HalfTermDates(2025, "autumn", 2, date(2025, 11, 3), date(2025, 12, 19)),
    HalfTermDates(2025, "spring", 1, date(2026, 1, 5), date(2026, 2, 13)),
    HalfTermDates(2025, "spring", 2, date(2026, 2, 23), date(2026, 3, 27)),
    HalfTermDates(2025, "summer", 1, date(2026, 4, 13), date(2026, 5, 22)),
    HalfTermDates(2025, "summer", 2, date(2026, 6, 1), date(2026, 7, 23)),
]

# Another school (an academy setting its own dates): starts on a Monday, breaks a week later in October, keeps
# Spring 2 running through Easter, and stays open to Wednesday 31 December (a year-round setting).
OTHER_SCHOOL_2025 = [
    HalfTermDates(2025, "autumn", 1, date(2025, 9, 1), date(2025, 10, 31)),
    HalfTermDates(2025, "autumn", 2, date(2025, 11, 10), date(2025, 12, 31)),
    HalfTermDates(2025, "spring", 1, date(2026, 1, 12), date(2026, 2, 20)),
    HalfTermDates(2025, "spring", 2, date(2026, 3, 2), date(2026, 4, 10)),
]


@pytest.fixture
def reference() -> SchoolCalendar:
    return SchoolCalendar(REFERENCE_2025)


@pytest.fixture
def other_school() -> SchoolCalendar:
    return SchoolCalendar(OTHER_SCHOOL_2025)


# --- term boundaries, half-term weeks, weekends ------------------------------------------------------------


@pytest.mark.parametrize("half_term", REFERENCE_2025, ids=str)
def test_first_and_last_day_of_each_half_term_are_school_days(reference, half_term):
    assert reference.is_school_day(half_term.first_day)
    assert reference.is_school_day(half_term.last_day)
    assert reference.half_term_for(half_term.first_day) == half_term
    assert reference.half_term_for(half_term.last_day) == half_term
    assert reference.last_school_day_of_half_term(half_term) == half_term.last_day
    assert reference.first_school_day_of_half_term(half_term) == half_term.first_day


def test_the_days_either_side_of_a_half_term_are_not_school_days(reference):
    assert not reference.is_school_day(date(2025, 9, 3))  # Wednesday before Autumn 1
    assert reference.half_term_for(date(2025, 9, 3)) is None
    assert not reference.is_school_day(date(2026, 7, 24))  # Friday after Summer 2 ends on a Thursday
    assert reference.half_term_for(date(2026, 7, 24)) is None


def test_half_term_week_is_a_holiday_and_points_to_the_next_half_term(reference):
    for day in (27, 28, 29, 30, 31):
        assert not reference.is_school_day(date(2025, 10, day))
        assert reference.half_term_for(date(2025, 10, day)) is None
    autumn_2 = REFERENCE_2025[1]
    assert reference.next_half_term(date(2025, 10, 29)) == autumn_2
    assert reference.current_or_next_half_term(date(2025, 10, 29)) == autumn_2
    assert reference.current_or_next_half_term(date(2025, 10, 22)) == REFERENCE_2025[0]
    assert reference.next_half_term(date(2025, 10, 22)) == autumn_2
    assert reference.next_half_term(date(2026, 7, 1)) is None
    description = reference.describe(date(2025, 10, 29))
    assert (description.kind, description.half_term) == (DayKind.HOLIDAY, None)


def test_weekends_inside_a_half_term_belong_to_it_but_are_not_school_days(reference):
    saturday, sunday = date(2025, 9, 6), date(2025, 9, 7)
    for day in (saturday, sunday):
        assert not reference.is_school_day(day)
        assert reference.half_term_for(day) == REFERENCE_2025[0]
        assert reference.describe(day).kind is DayKind.WEEKEND
    assert reference.is_school_day(date(2025, 9, 8))


def test_school_days_between_counts_both_ends_and_skips_the_break(reference):
    days = list(reference.school_days_between(date(2025, 10, 23), date(2025, 11, 4)))
    assert days == [date(2025, 10, 23), date(2025, 10, 24), date(2025, 11, 3), date(2025, 11, 4)]
    assert list(reference.school_days_between(date(2025, 10, 25), date(2025, 11, 2))) == []


def test_school_day_counts_of_the_reference_year(reference):
    assert [reference.school_day_count(h) for h in REFERENCE_2025] == [37, 35, 30, 25, 29, 39]


# --- bank holidays -----------------------------------------------------------------------------------------


def test_early_may_bank_holiday_inside_summer_1_is_not_a_school_day(reference):
    may_day = date(2026, 5, 4)
    assert bank_holiday_name(may_day) == "May Day"
    assert reference.half_term_for(may_day) == REFERENCE_2025[4]
    assert not reference.is_school_day(may_day)
    described = reference.describe(may_day)
    assert (described.kind, described.bank_holiday) == (DayKind.BANK_HOLIDAY, "May Day")
    assert reference.is_school_day(date(2026, 5, 5))


def test_christmas_and_boxing_day_inside_another_schools_term(reference, other_school):
    for day in (date(2025, 12, 25), date(2025, 12, 26)):
        assert bank_holiday_name(day)
        assert other_school.half_term_for(day) == OTHER_SCHOOL_2025[1]
        assert not other_school.is_school_day(day)
        assert not reference.is_school_day(day)
        assert reference.half_term_for(day) is None
    assert other_school.is_school_day(date(2025, 12, 24))
    assert other_school.is_school_day(date(2025, 12, 29))


def test_good_friday_and_easter_monday_inside_another_schools_term(reference, other_school):
    good_friday, easter_monday = date(2026, 4, 3), date(2026, 4, 6)
    assert bank_holiday_name(good_friday) == "Good Friday"
    assert bank_holiday_name(easter_monday) == "Easter Monday"
    spring_2 = OTHER_SCHOOL_2025[3]
    assert other_school.half_term_for(good_friday) == spring_2
    assert not other_school.is_school_day(good_friday)
    assert not other_school.is_school_day(easter_monday)
    assert other_school.is_school_day(date(2026, 4, 2))
    assert other_school.is_school_day(date(2026, 4, 7))
    # 6 weeks of weekdays, less the two bank holidays
    assert other_school.school_day_count(spring_2) == 28
    assert reference.half_term_for(good_friday) is None


def test_a_school_with_different_dates_answers_differently(reference, other_school):
    assert reference.is_school_day(date(2025, 10, 30)) is False  # reference half-term week
    assert other_school.is_school_day(date(2025, 10, 30)) is True
    assert reference.is_school_day(date(2025, 11, 3)) is True
    assert other_school.is_school_day(date(2025, 11, 3)) is False  # other school's half-term week
    assert other_school.is_school_day(date(2025, 9, 1)) and not reference.is_school_day(date(2025, 9, 1))


# --- training days -----------------------------------------------------------------------------------------


def test_training_days_are_not_school_days():
    calendar = SchoolCalendar(REFERENCE_2025, training_days={date(2025, 11, 3), date(2025, 10, 24)})
    assert not calendar.is_school_day(date(2025, 11, 3))
    described = calendar.describe(date(2025, 11, 3))
    assert (described.kind, described.half_term) == (DayKind.TRAINING_DAY, REFERENCE_2025[1])
    assert calendar.school_day_count(REFERENCE_2025[1]) == 34
    # Autumn 1 ends on a training day: pupils' last day is the Thursday
    assert calendar.last_school_day_of_half_term(REFERENCE_2025[0]) == date(2025, 10, 23)
    assert calendar.first_school_day_of_half_term(REFERENCE_2025[1]) == date(2025, 11, 4)


def test_last_school_day_when_a_half_term_ends_on_a_bank_holiday():
    half_term = HalfTermDates(2025, "summer", 1, date(2026, 4, 13), date(2026, 5, 25))  # Spring Bank Holiday
    assert SchoolCalendar([half_term]).last_school_day_of_half_term(half_term) == date(2026, 5, 22)
    only_holidays = HalfTermDates(2025, "summer", 1, date(2026, 5, 25), date(2026, 5, 25))
    assert SchoolCalendar([only_holidays]).last_school_day_of_half_term(only_holidays) is None


# --- counting school days ------------------------------------------------------------------------------------


def _day_by_day(calendar: SchoolCalendar, start: date, end: date) -> list[date]:
    """The definition the listed school days must agree with: each day tested on its own."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if calendar.is_school_day(day)]


@pytest.mark.parametrize("half_terms", [REFERENCE_2025, OTHER_SCHOOL_2025, REFERENCE_2025 + [
    HalfTermDates(2025, "summer", 2, date(2026, 5, 20), date(2026, 6, 30))]], ids=["reference", "other", "overlap"])
def test_school_days_between_agrees_with_testing_each_day(half_terms):
    calendar = SchoolCalendar(half_terms, training_days={date(2025, 11, 3), date(2026, 1, 5), date(2026, 6, 1)})
    edges = sorted({d for h in half_terms for d in (h.first_day, h.last_day)} | {date(2025, 8, 1), date(2026, 9, 1)})
    shifted = sorted({d + timedelta(days=k) for d in edges for k in (-3, -1, 0, 1, 3)})
    for start, end in itertools.combinations(shifted, 2):
        assert list(calendar.school_days_between(start, end)) == _day_by_day(calendar, start, end), (start, end)
    assert list(calendar.school_days_between(date(2026, 1, 9), date(2026, 1, 2))) == []
    for day in shifted[:-10]:
        expected = _day_by_day(calendar, day, edges[-1])
        expected = expected[1:] if expected and expected[0] == day else expected
        for n in (1, 2, 5, 40):
            if n <= len(expected):
                assert calendar.nth_school_day_after(day, n) == expected[n - 1]
            else:
                with pytest.raises(CalendarNotEntered):
                    calendar.nth_school_day_after(day, n)



def test_nth_school_day_after_crosses_a_half_term_break(reference):
    assert reference.nth_school_day_after(date(2025, 10, 23), 1) == date(2025, 10, 24)
    assert reference.nth_school_day_after(date(2025, 10, 23), 2) == date(2025, 11, 3)
    assert reference.nth_school_day_after(date(2025, 10, 25), 1) == date(2025, 11, 3)  # from a Saturday
    with_inset = SchoolCalendar(REFERENCE_2025, {date(2025, 11, 3)})
    assert with_inset.nth_school_day_after(date(2025, 10, 23), 2) == date(2025, 11, 4)


def test_nth_school_day_after_skips_a_bank_holiday_and_easter(reference):
    assert reference.nth_school_day_after(date(2026, 5, 1), 1) == date(2026, 5, 5)  # over May Day
    assert reference.nth_school_day_after(date(2026, 3, 26), 2) == date(2026, 4, 13)  # over the Easter break
    assert reference.nth_school_day_after(date(2025, 9, 4), 10) == date(2025, 9, 18)


def test_nth_school_day_after_refuses_when_the_calendar_runs_out(reference):
    assert reference.nth_school_day_after(date(2026, 7, 21), 2) == date(2026, 7, 23)
    with pytest.raises(CalendarNotEntered, match="enter the next half-terms"):
        reference.nth_school_day_after(date(2026, 7, 21), 3)
    with pytest.raises(CalendarNotEntered):
        SchoolCalendar([]).nth_school_day_after(date(2026, 7, 21), 1)
    with pytest.raises(ValueError):
        reference.nth_school_day_after(date(2025, 10, 1), 0)


def test_nth_school_day_before_a_start_date(reference):
    # "A letter at least 2 school days before the start": a start on Monday 13 April 2026, after Easter
    assert reference.nth_school_day_before(date(2026, 4, 13), 2) == date(2026, 3, 26)
    assert reference.nth_school_day_before(date(2026, 5, 5), 1) == date(2026, 5, 1)  # over May Day
    assert reference.nth_school_day_before(date(2026, 5, 5), 2) == date(2026, 4, 30)
    assert reference.nth_school_day_before(date(2025, 9, 8), 2) == date(2025, 9, 4)
    with pytest.raises(CalendarNotEntered, match="enter the earlier half-terms"):
        reference.nth_school_day_before(date(2025, 9, 8), 3)
    with pytest.raises(ValueError):
        reference.nth_school_day_before(date(2025, 10, 1), 0)


def test_covers_says_how_far_the_calendar_is_entered(reference):
    assert reference.covers(date(2025, 9, 4)) and reference.covers(date(2026, 7, 23))
    assert reference.covers(date(2025, 12, 25))  # a holiday between entered half-terms is still known
    assert not reference.covers(date(2025, 9, 3))
    assert not reference.covers(date(2026, 7, 24))
    assert reference.describe(date(2026, 7, 27)).kind is DayKind.NOT_ENTERED
    assert not SchoolCalendar([]).covers(date(2026, 1, 5))
    assert reference.last_entered_day == date(2026, 7, 23)


# --- school-local time across BST changes -------------------------------------------------------------------


def test_local_datetime_across_the_spring_change():
    # BST starts at 01:00 UTC on Sunday 29 March 2026
    assert clock.local_datetime(date(2026, 3, 28), time(9, 0)) == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert clock.local_datetime(date(2026, 3, 29), time(9, 0)) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert clock.local_datetime(date(2026, 3, 30), time(9, 30)) == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)


def test_local_datetime_across_the_autumn_change():
    # BST ends at 01:00 UTC on Sunday 25 October 2026
    assert clock.local_datetime(date(2026, 10, 24), time(9, 0)) == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert clock.local_datetime(date(2026, 10, 25), time(9, 0)) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert clock.local_datetime(date(2026, 10, 26), time(9, 0)) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_today_is_the_school_local_date():
    with school_time("2026-07-01 00:30"):  # 23:30 UTC on 30 June
        assert clock.now().date() == date(2026, 6, 30)
        assert clock.today() == date(2026, 7, 1)
    with school_time("2026-03-29 09:00"):
        assert clock.now() == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
        assert SchoolCalendar(REFERENCE_2025).describe(clock.today()).kind is DayKind.WEEKEND


# --- rules for entered dates ------------------------------------------------------------------------------


def test_half_term_problems_accept_a_good_half_term():
    assert half_term_problems(REFERENCE_2025[1], [REFERENCE_2025[0], *REFERENCE_2025[2:]]) == {}


@pytest.mark.parametrize("candidate, field, words", [
    (HalfTermDates(2025, "autumn", 2, date(2025, 10, 20), date(2025, 12, 19)), "first_day", "overlap Autumn 1"),
    (HalfTermDates(2025, "autumn", 2, date(2025, 11, 3), date(2025, 11, 1)), "last_day", "same as or after"),
    (HalfTermDates(2025, "autumn", 2, date(2025, 11, 1), date(2025, 12, 19)), "first_day", "Saturday"),
    (HalfTermDates(2025, "autumn", 2, date(2025, 11, 3), date(2025, 12, 20)), "last_day", "Saturday"),
    (HalfTermDates(2025, "autumn", 2, date(2024, 11, 4), date(2024, 12, 20)), "first_day", "2025-26 school year"),
    (HalfTermDates(2025, "autumn", 1, date(2025, 9, 4), date(2025, 10, 24)), "half_term", "already entered"),
    (HalfTermDates(2025, "summer", 2, date(2025, 11, 3), date(2025, 11, 7)), "first_day", "must come after"),
])
def test_half_term_problems_name_the_field(candidate, field, words):
    others = [h for h in REFERENCE_2025 if h.sequence != (2025, 0, 2)]
    problems = half_term_problems(candidate, others)
    assert field in problems and words in problems[field]


def test_training_day_problems(reference):
    assert training_day_problem(date(2025, 11, 3), reference) is None
    assert "weekend" in training_day_problem(date(2025, 11, 1), reference)
    assert "bank holiday" in training_day_problem(date(2026, 5, 4), reference)
    assert "not inside any" in training_day_problem(date(2025, 10, 29), reference)
    with_inset = SchoolCalendar(REFERENCE_2025, {date(2025, 11, 3)})
    assert "already" in training_day_problem(date(2025, 11, 3), with_inset)


# --- the demo's school-year generator ---------------------------------------------------------------------


def test_generator_reproduces_the_2025_26_reference_table():
    assert generate_school_year(2025) == REFERENCE_2025


@pytest.mark.parametrize("year", [2026, 2027])
def test_generator_makes_a_plausible_later_year(year):
    half_terms = generate_school_year(year)
    assert [(h.term, h.part) for h in half_terms] == [
        ("autumn", 1), ("autumn", 2), ("spring", 1), ("spring", 2), ("summer", 1), ("summer", 2)]
    calendar = SchoolCalendar(half_terms)
    for h in half_terms:
        assert h.academic_year == year
        assert half_term_problems(h, [o for o in half_terms if o is not h]) == {}
        assert calendar.is_school_day(h.first_day)
    assert half_terms[0].first_day.month == 9 and half_terms[0].first_day.day <= 7
    assert date(year + 1, 7, 18) <= half_terms[-1].last_day <= date(year + 1, 7, 25)
    # 195 published days: 190 for pupils once a school places its 5 training days inside them
    days = list(calendar.school_days_between(half_terms[0].first_day, half_terms[-1].last_day))
    assert len(days) == 195
    with_inset = SchoolCalendar(half_terms, days[:5])
    assert sum(with_inset.school_day_count(h) for h in half_terms) == 190
    # the breaks: Christmas Day and Easter Sunday fall outside every half-term
    assert calendar.half_term_for(date(year, 12, 25)) is None
    assert calendar.half_term_for(easter_sunday(year + 1)) is None


def test_generated_years_follow_on_from_each_other():
    years = [h for year in range(2025, 2035) for h in generate_school_year(year)]
    for earlier, later in itertools.pairwise(years):
        assert earlier.last_day < later.first_day
    assert generate_school_year(2026)[0].first_day == date(2026, 9, 3)
    assert generate_school_year(2027)[2].first_day == date(2028, 1, 4)  # Monday 3 January 2028 is a bank holiday


def test_easter_matches_the_bank_holidays():
    for year in range(2000, 2061):
        good_friday = next(d for d, name in holidays.UK(subdiv="ENG", years=year).items() if name == "Good Friday")
        assert (easter_sunday(year) - good_friday).days == 2
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)


def test_academic_year_of():
    assert academic_year_of(date(2025, 9, 4)) == 2025
    assert academic_year_of(date(2026, 7, 23)) == 2025
    assert academic_year_of(date(2026, 8, 1)) == 2026
