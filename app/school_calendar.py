"""One calendar (design invariant 6): which days are school days for one school.

Plain Python, no Flask and no database: `app.services.calendar` loads a school's half-terms and training days
into a `SchoolCalendar`; sweeps, services and pages ask it. A school day is a weekday inside one of the school's
half-terms that is neither an England bank holiday nor one of the school's training (INSET) days
(reference/calendar.md).

`generate_school_year(year)` makes a plausible English school year for the demo, so it works on any day it runs.
"""
from __future__ import annotations

import bisect
import datetime as dt
import enum
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import holidays

ONE_DAY = dt.timedelta(days=1)
TERMS = ("autumn", "spring", "summer")  # the values of app.models.calendar.Term, in school-year order

# LAs typically publish 195 days of which 5 are training days: the 190 days (380 sessions) pupils must be
# offered (reference/statutory-facts.md, "School year").
DAYS_IN_PUBLISHED_YEAR = 195


class CalendarNotEntered(LookupError):
    """The question reaches past the half-terms the school has entered: the calendar cannot answer it."""


@dataclass(frozen=True)
class HalfTermDates:
    """One half-term of one school. `term` is 'autumn', 'spring' or 'summer' (the Term enum's values)."""

    academic_year: int  # the calendar year it starts in: 2025 for 2025-26
    term: str
    part: int  # 1 or 2
    first_day: dt.date
    last_day: dt.date
    id: int | None = None  # the HalfTerm row it came from, when it came from one

    @property
    def name(self) -> str:
        return f"{str(self.term).title()} {self.part}"

    @property
    def academic_year_label(self) -> str:
        return academic_year_label(self.academic_year)

    @property
    def sequence(self) -> tuple[int, int, int]:
        """Where it sits in the run of half-terms: Autumn 1 of 2025-26 comes before Autumn 2, and so on."""
        return (self.academic_year, TERMS.index(str(self.term)), self.part)

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year_label}"


def academic_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def academic_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The dates a school year's terms may fall between: a school year begins with the first term to begin
    after July (Education Act 1996, s.579), so 1 August to 31 July."""
    return dt.date(year, 8, 1), dt.date(year + 1, 7, 31)


def academic_year_of(day: dt.date) -> int:
    """The school year a date belongs to, by the same 1 August boundary."""
    return day.year if day.month >= 8 else day.year - 1


# --- bank holidays ------------------------------------------------------------------------------------------


@cache
def _bank_holidays_in(year: int) -> dict[dt.date, str]:
    return dict(holidays.UK(subdiv="ENG", years=year).items())


def bank_holiday_name(day: dt.date) -> str | None:
    """The England bank holiday on this date, if there is one (substitute days included)."""
    return _bank_holidays_in(day.year).get(day)


def bank_holidays_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    found = []
    for year in range(start.year, end.year + 1):
        found.extend((d, name) for d, name in _bank_holidays_in(year).items() if start <= d <= end)
    return sorted(found)


# --- one school's calendar ----------------------------------------------------------------------------------


class DayKind(enum.StrEnum):
    """Why a date is or is not a school day, in the words the calendar page uses."""

    SCHOOL_DAY = "school day"
    WEEKEND = "weekend"
    BANK_HOLIDAY = "bank holiday"
    TRAINING_DAY = "training day"
    HOLIDAY = "school holiday"
    NOT_ENTERED = "not in the entered calendar"


@dataclass(frozen=True)
class DayDescription:
    day: dt.date
    kind: DayKind
    half_term: HalfTermDates | None
    bank_holiday: str | None = None

    @property
    def is_school_day(self) -> bool:
        return self.kind is DayKind.SCHOOL_DAY


class SchoolCalendar:
    """A school's half-terms, training days and the England bank holidays, answering date questions.

    Outside the entered half-terms every answer is "not a school day"; `covers(day)` says whether the school
    has entered its calendar that far, and the counting methods raise `CalendarNotEntered` rather than guess.
    """

    def __init__(self, half_terms: Iterable[HalfTermDates], training_days: Iterable[dt.date] = ()):
        self.half_terms: tuple[HalfTermDates, ...] = tuple(sorted(half_terms, key=lambda h: h.first_day))
        self.training_days: frozenset[dt.date] = frozenset(training_days)
        self._first_days = [h.first_day for h in self.half_terms]
        # Each half-term's school days, listed the first time they are asked for: a dashboard asks for the same
        # half-term once per placement (120 placements: 8,000 days tested one by one, 16 ms a view). Only when
        # no two half-terms overlap (the editing rules refuse overlaps); otherwise days are tested one by one.
        self._school_days: dict[int, tuple[dt.date, ...]] = {}
        self._disjoint = all(a.last_day < b.first_day for a, b in itertools.pairwise(self.half_terms))

    def __repr__(self) -> str:
        return f"SchoolCalendar({len(self.half_terms)} half-terms, {len(self.training_days)} training days)"

    # where a date falls

    def covers(self, day: dt.date) -> bool:
        """Is the calendar entered far enough (both ways) to say whether this date is a school day?"""
        return bool(self.half_terms) and self.half_terms[0].first_day <= day <= self.last_entered_day

    @property
    def last_entered_day(self) -> dt.date | None:
        return max((h.last_day for h in self.half_terms), default=None)

    def half_term_for(self, day: dt.date) -> HalfTermDates | None:
        """The half-term whose dates include this day (weekends too), or None in the holidays."""
        i = bisect.bisect_right(self._first_days, day) - 1
        if i >= 0 and self.half_terms[i].contains(day):
            return self.half_terms[i]
        return None

    def next_half_term(self, day: dt.date) -> HalfTermDates | None:
        """The first half-term that starts after this day."""
        i = bisect.bisect_right(self._first_days, day)
        return self.half_terms[i] if i < len(self.half_terms) else None

    def current_or_next_half_term(self, day: dt.date) -> HalfTermDates | None:
        return self.half_term_for(day) or self.next_half_term(day)

    def half_terms_of_year(self, academic_year: int) -> list[HalfTermDates]:
        return [h for h in self.half_terms if h.academic_year == academic_year]

    def describe(self, day: dt.date) -> DayDescription:
        half_term = self.half_term_for(day)
        if day.weekday() >= 5:
            return DayDescription(day, DayKind.WEEKEND, half_term)
        holiday = bank_holiday_name(day)
        if holiday:
            return DayDescription(day, DayKind.BANK_HOLIDAY, half_term, holiday)
        if half_term is None:
            return DayDescription(day, DayKind.HOLIDAY if self.covers(day) else DayKind.NOT_ENTERED, None)
        if day in self.training_days:
            return DayDescription(day, DayKind.TRAINING_DAY, half_term)
        return DayDescription(day, DayKind.SCHOOL_DAY, half_term)

    def is_school_day(self, day: dt.date) -> bool:
        return (day.weekday() < 5 and day not in self.training_days and self.half_term_for(day) is not None
                and bank_holiday_name(day) is None)

    # counting school days

    def school_days_between(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """The school days from start to end, both included, in order."""
        if not self._disjoint:
            day = start
            while day <= end:
                if self.is_school_day(day):
                    yield day
                day += ONE_DAY
            return
        for i in range(max(bisect.bisect_right(self._first_days, start) - 1, 0), len(self.half_terms)):
            if self.half_terms[i].first_day > end:
                return
            days = self._school_days_of(i)
            yield from days[bisect.bisect_left(days, start):bisect.bisect_right(days, end)]

    def _school_days_of(self, i: int) -> tuple[dt.date, ...]:
        days = self._school_days.get(i)
        if days is None:
            half_term = self.half_terms[i]
            days = tuple(half_term.first_day + ONE_DAY * n
                         for n in range((half_term.last_day - half_term.first_day).days + 1)
                         if self.is_school_day(half_term.first_day + ONE_DAY * n))
            self._school_days[i] = days
        return days

    def school_day_count(self, half_term: HalfTermDates) -> int:
        return sum(1 for _ in self.school_days_between(half_term.first_day, half_term.last_day))

    def nth_school_day_after(self, day: dt.date, n: int) -> dt.date:
        """The n-th school day after `day` (not counting `day` itself): n=1 is the next school day."""
        if n < 1:
            raise ValueError("n counts school days from 1")
        end = self.last_entered_day
        if end is not None:
            for count, school_day in enumerate(self.school_days_between(day + ONE_DAY, end), start=1):
                if count == n:
                    return school_day
        raise CalendarNotEntered(f"the school's calendar ends before the school day wanted after {day:%d %b %Y}; "
                                 "enter the next half-terms")

    def nth_school_day_before(self, day: dt.date, n: int) -> dt.date:
        """The n-th school day before `day` (not counting `day`): "a letter at least 2 school days before the
        start" must be sent by nth_school_day_before(start, 2)."""
        if n < 1:
            raise ValueError("n counts school days from 1")
        start = self.half_terms[0].first_day if self.half_terms else None
        current = day
        while start is not None and current > start:
            current -= ONE_DAY
            if self.is_school_day(current):
                n -= 1
                if n == 0:
                    return current
        raise CalendarNotEntered(f"the school's calendar starts after the school day wanted before {day:%d %b %Y}; "
                                 "enter the earlier half-terms")

    def last_school_day_of_half_term(self, half_term: HalfTermDates) -> dt.date | None:
        """The end of this half-term as pupils see it: its last day that is a school day (a half-term can
        end on a training day or a bank holiday). None if it has no school day at all."""
        days = tuple(self.school_days_between(half_term.first_day, half_term.last_day))
        return days[-1] if days else None

    def first_school_day_of_half_term(self, half_term: HalfTermDates) -> dt.date | None:
        return next(self.school_days_between(half_term.first_day, half_term.last_day), None)


# --- rules for entered dates (used by the editing service) --------------------------------------------------


def half_term_problems(candidate: HalfTermDates, others: Iterable[HalfTermDates]) -> dict[str, str]:
    """What is wrong with a half-term's dates, by field, given the school's other half-terms (itself
    excluded). Empty when it can be saved."""
    problems: dict[str, str] = {}
    if candidate.first_day.weekday() >= 5:
        problems["first_day"] = f"{candidate.first_day:%A} is not a weekday: a half-term starts on a weekday."
    if candidate.last_day < candidate.first_day:
        problems["last_day"] = "The last day must be the same as or after the first day."
    elif candidate.last_day.weekday() >= 5:
        problems["last_day"] = f"{candidate.last_day:%A} is not a weekday: a half-term ends on a weekday."
    opens, closes = academic_year_bounds(candidate.academic_year)
    label = academic_year_label(candidate.academic_year)
    if not opens <= candidate.first_day <= closes:
        problems.setdefault("first_day", f"The first day must be within the {label} school year "
                                         f"({opens:%-d %B %Y} to {closes:%-d %B %Y}).")
    if not opens <= candidate.last_day <= closes:
        problems.setdefault("last_day", f"The last day must be within the {label} school year "
                                        f"({opens:%-d %B %Y} to {closes:%-d %B %Y}).")
    for other in others:
        if other.sequence == candidate.sequence:
            problems["half_term"] = f"{other} is already entered: change its dates instead."
        elif other.first_day <= candidate.last_day and candidate.first_day <= other.last_day:
            problems.setdefault("first_day", f"These dates overlap {other} ({other.first_day:%a %-d %b %Y} to "
                                             f"{other.last_day:%a %-d %b %Y}).")
        elif other.sequence < candidate.sequence and other.first_day > candidate.last_day:
            problems.setdefault("first_day", f"{candidate.name} must come after {other}, which starts on "
                                             f"{other.first_day:%a %-d %b %Y}.")
        elif other.sequence > candidate.sequence and other.last_day < candidate.first_day:
            problems.setdefault("first_day", f"{candidate.name} must come before {other}, which ends on "
                                             f"{other.last_day:%a %-d %b %Y}.")
    return problems


def training_day_problem(day: dt.date, calendar: SchoolCalendar) -> str | None:
    """Why this date cannot be a training day of the school (None if it can): a training day replaces a
    school day, so it is a weekday inside a half-term, not a bank holiday and not already a training day."""
    if day.weekday() >= 5:
        return f"{day:%A %-d %B %Y} is a weekend day: a training day is a weekday."
    holiday = bank_holiday_name(day)
    if holiday:
        return f"{day:%A %-d %B %Y} is a bank holiday ({holiday})."
    if calendar.half_term_for(day) is None:
        return f"{day:%A %-d %B %Y} is not inside any of the school's half-terms: enter the half-term first."
    if day in calendar.training_days:
        return f"{day:%A %-d %B %Y} is already a training day."
    return None


# --- a plausible English school year, for the demo ----------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Western Easter (the anonymous Gregorian computus)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(0 - day.weekday()) % 7)


def _last_monday_of(year: int, month: int) -> dt.date:
    last = dt.date(year + month // 12, month % 12 + 1, 1) - ONE_DAY
    return last - dt.timedelta(days=last.weekday())


def _first_weekday_not_bank_holiday(day: dt.date) -> dt.date:
    while day.weekday() >= 5 or bank_holiday_name(day):
        day += ONE_DAY
    return day


def generate_school_year(year: int) -> list[HalfTermDates]:
    """Six half-terms for the school year starting in `year`, following the pattern of an English LA's
    published dates (reference/calendar.md). For 2025 these rules give the reference table exactly:

    - Autumn 1 starts on the first Thursday of September (the Wednesday before when that Thursday is the 6th
      or 7th, so the year does not start late); the October break is the week of the last Monday in October.
    - Christmas: two weeks; Spring 1 starts on the first Monday on or after 2 January (the next weekday when
      that is a bank holiday).
    - The February break is the week of the third Monday in February.
    - Easter: the two weeks around Easter Sunday (Spring 2 ends the Friday before Holy Week).
    - The May break is the week of the late-May bank holiday (the last Monday in May).
    - Summer 2 ends on the day that makes the year 195 days, weekdays less bank holidays: the 190 pupil days
      plus the 5 training days a school places inside them.
    """
    week = dt.timedelta(days=7)
    september_1 = dt.date(year, 9, 1)
    autumn_1 = september_1 + dt.timedelta(days=(3 - september_1.weekday()) % 7)  # the first Thursday
    if autumn_1.day >= 6:
        autumn_1 -= ONE_DAY
    october = _last_monday_of(year, 10)
    spring_1 = _monday_on_or_after(dt.date(year + 1, 1, 2))
    february = _monday_on_or_after(dt.date(year + 1, 2, 1)) + 2 * week
    easter = easter_sunday(year + 1)
    may = _last_monday_of(year + 1, 5)

    def half(term: str, part: int, first: dt.date, last: dt.date) -> HalfTermDates:
        return HalfTermDates(year, term, part, _first_weekday_not_bank_holiday(first), last)

    halves = [
        half("autumn", 1, autumn_1, october - dt.timedelta(days=3)),
        half("autumn", 2, october + week, spring_1 - dt.timedelta(days=17)),
        half("spring", 1, spring_1, february - dt.timedelta(days=3)),
        half("spring", 2, february + week, easter - dt.timedelta(days=9)),
        half("summer", 1, easter + dt.timedelta(days=8), may - dt.timedelta(days=3)),
    ]
    summer_2_first = _first_weekday_not_bank_holiday(may + week)
    counted = SchoolCalendar(halves)
    remaining = DAYS_IN_PUBLISHED_YEAR - sum(counted.school_day_count(h) for h in halves)
    last = summer_2_first
    remaining -= 1  # the first day of Summer 2 is a weekday that is not a bank holiday
    while remaining > 0:
        last += ONE_DAY
        if last.weekday() < 5 and not bank_holiday_name(last):
            remaining -= 1
    halves.append(HalfTermDates(year, "summer", 2, summer_2_first, last))
    return halves
