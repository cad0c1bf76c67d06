"""Compulsory school age around each threshold, and full-time hours by key stage (statutory-facts.md)."""
import datetime as dt

import pytest

from app.policy.school_age import (
    FULL_TIME_HOURS,
    compulsory_school_age_end,
    compulsory_school_age_start,
    compulsory_school_age_status,
    full_time_hours,
    is_compulsory_school_age,
    key_stage,
    last_friday_of_june,
)

D = dt.date


@pytest.mark.parametrize(
    ("date_of_birth", "start"),
    [
        # fifth birthday on a prescribed day: that day
        (D(2015, 12, 31), D(2020, 12, 31)),
        (D(2016, 3, 31), D(2021, 3, 31)),
        (D(2016, 8, 31), D(2021, 8, 31)),
        # the day after a prescribed day: the next one
        (D(2016, 1, 1), D(2021, 3, 31)),
        (D(2016, 4, 1), D(2021, 8, 31)),
        (D(2016, 9, 1), D(2021, 12, 31)),
        # the day before
        (D(2015, 12, 30), D(2020, 12, 31)),
        (D(2016, 3, 30), D(2021, 3, 31)),
        (D(2016, 8, 30), D(2021, 8, 31)),
        # 29 February: fifth birthday taken as 1 March in a common year
        (D(2016, 2, 29), D(2021, 3, 31)),
    ],
)
def test_compulsory_school_age_starts_on_the_first_prescribed_day_on_or_after_the_fifth_birthday(date_of_birth, start):
    assert compulsory_school_age_start(date_of_birth) == start


def test_last_friday_of_june():
    assert last_friday_of_june(2025) == D(2025, 6, 27)
    assert last_friday_of_june(2027) == D(2027, 6, 25)
    assert last_friday_of_june(2029) == D(2029, 6, 29)  # 30 June 2029 is a Saturday
    assert last_friday_of_june(2023) == D(2023, 6, 30)  # 30 June itself a Friday


@pytest.mark.parametrize(
    ("date_of_birth", "end"),
    [
        # turns 16 on 1 September 2025: school year 2025-26 -> last Friday of June 2026
        (D(2009, 9, 1), D(2026, 6, 26)),
        # turns 16 on 31 August 2025: school year 2024-25 -> June 2025, before the birthday
        (D(2009, 8, 31), D(2025, 6, 27)),
        # turns 16 in the winter
        (D(2010, 1, 15), D(2026, 6, 26)),
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_of_june_of_the_year_they_turn_16(date_of_birth, end):
    assert compulsory_school_age_end(date_of_birth) == end


def test_is_compulsory_school_age_at_both_ends():
    dob = D(2016, 1, 1)  # starts 31 March 2021, ends last Friday of June 2032 (25 June)
    assert not is_compulsory_school_age(dob, D(2021, 3, 30))
    assert is_compulsory_school_age(dob, D(2021, 3, 31))
    assert compulsory_school_age_end(dob) == D(2032, 6, 25)
    assert is_compulsory_school_age(dob, D(2032, 6, 25))
    assert not is_compulsory_school_age(dob, D(2032, 6, 26))


def test_status_words():
    dob = D(2016, 1, 1)
    assert compulsory_school_age_status(dob, D(2020, 1, 1)) == "not yet"
    assert compulsory_school_age_status(dob, D(2025, 1, 1)) == "compulsory"
    assert compulsory_school_age_status(dob, D(2033, 1, 1)) == "past"


@pytest.mark.parametrize(
    ("year_group", "stage", "hours"),
    [
        (-1, "EYFS", None),
        (0, "KS1", 21.0),  # Reception counts with KS1
        (2, "KS1", 21.0),
        (3, "KS2", 23.5),
        (6, "KS2", 23.5),
        (7, "KS3", 24.0),
        (9, "KS3", 24.0),
        (10, "KS4", 24.0),
        (11, "KS4", 25.0),
        (12, "KS5", None),
        (14, None, None),
    ],
)
def test_key_stage_and_full_time_hours(year_group, stage, hours):
    assert key_stage(year_group) == stage
    assert full_time_hours(year_group) == hours


def test_full_time_hours_table_matches_the_ombudsman_benchmarks():
    assert FULL_TIME_HOURS == {"KS1": 21.0, "KS2": 23.5, "KS3": 24.0, "Year 10": 24.0, "Year 11": 25.0}
