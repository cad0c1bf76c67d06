"""Compulsory school age and full-time hours (statutory-facts.md; policy 7.2 and 7.3 rely on both).

- Compulsory school age starts on the first of 31 December, 31 March or 31 August on or after the fifth birthday
  (Education Act 1996 s.8), and ends on the last Friday of June in the school year (1 September to 31 August) in
  which the pupil turns 16.
- Full-time hours are the Local Government Ombudsman's benchmarks: KS1 21 hours a week (Reception counts with KS1),
  KS2 23.5, KS3 and Year 10 24, Year 11 25. Nursery and the sixth form have no benchmark (None).

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt

# Where a year group sits; Reception (0) counts with KS1 for hours, as the benchmarks do. -1 is Nursery.
KEY_STAGE_BY_YEAR = {
    -1: "EYFS",
    0: "KS1", 1: "KS1", 2: "KS1",
    3: "KS2", 4: "KS2", 5: "KS2", 6: "KS2",
    7: "KS3", 8: "KS3", 9: "KS3",
    10: "KS4", 11: "KS4",
    12: "KS5", 13: "KS5",
}

# Hours a week that count as full time. KS4 splits by year, so Year 10 and Year 11 have their own keys.
FULL_TIME_HOURS = {
    "KS1": 21.0,
    "KS2": 23.5,
    "KS3": 24.0,
    "Year 10": 24.0,
    "Year 11": 25.0,
}

# The "prescribed days" on or after the fifth birthday, as (month, day), in calendar order.
_PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    """The day the pupil reaches `age`; someone born on 29 February reaches it on 1 March in a common year."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return dt.date(date_of_birth.year + age, 3, 1)


def compulsory_school_age_start(date_of_birth: dt.date) -> dt.date:
    """The first of 31 March, 31 August or 31 December on or after the fifth birthday."""
    fifth = birthday(date_of_birth, 5)
    for month, day in _PRESCRIBED_DAYS:
        candidate = dt.date(fifth.year, month, day)
        if candidate >= fifth:
            return candidate
    raise AssertionError("31 December is always on or after a date in the same year")


def school_year_ending(on_date: dt.date) -> int:
    """The calendar year in which the school year containing `on_date` ends (school years run 1 Sep to 31 Aug)."""
    return on_date.year + 1 if on_date.month >= 9 else on_date.year


def last_friday_of_june(year: int) -> dt.date:
    last = dt.date(year, 6, 30)
    return last - dt.timedelta(days=(last.weekday() - 4) % 7)


def compulsory_school_age_end(date_of_birth: dt.date) -> dt.date:
    """The last Friday of June of the school year in which the pupil turns 16 (a summer-born pupil may leave
    before the 16th birthday)."""
    return last_friday_of_june(school_year_ending(birthday(date_of_birth, 16)))


def is_compulsory_school_age(date_of_birth: dt.date, on_date: dt.date) -> bool:
    """Whether the pupil is of compulsory school age on `on_date` (both ends included)."""
    return compulsory_school_age_start(date_of_birth) <= on_date <= compulsory_school_age_end(date_of_birth)


def compulsory_school_age_status(date_of_birth: dt.date, on_date: dt.date) -> str:
    """'not yet', 'compulsory' or 'past': the words the pupil page shows."""
    if on_date < compulsory_school_age_start(date_of_birth):
        return "not yet"
    if on_date > compulsory_school_age_end(date_of_birth):
        return "past"
    return "compulsory"


def key_stage(year_group: int) -> str | None:
    """'EYFS' (Nursery), 'KS1' (Reception to Year 2), 'KS2', 'KS3', 'KS4', 'KS5'; None for a year group we do
    not know."""
    return KEY_STAGE_BY_YEAR.get(year_group)


def full_time_hours(year_group: int) -> float | None:
    """Hours a week that count as full time for this year group; None where there is no benchmark
    (Nursery, sixth form)."""
    if year_group in (10, 11):
        return FULL_TIME_HOURS[f"Year {year_group}"]
    return FULL_TIME_HOURS.get(key_stage(year_group) or "")
