"""Off-site direction to improve behaviour (policy section 6; reference/statutory-facts.md).

Plain rules, no Flask and no database: given the facts of a direction, they answer.
"""
from __future__ import annotations

import datetime as dt

from app.school_calendar import CalendarNotEntered, SchoolCalendar

# Written notice to parents at least 2 school days before the direction starts (statutory-facts.md).
LETTER_SCHOOL_DAYS_BEFORE_START = 2

# What the letter must tell parents (6.5, statutory-facts.md): the items, in the order the letter gives them.
LETTER_CONTENTS = (
    "the address of the provision",
    "who the pupil reports to on arrival",
    "the number of days",
    "the reasons and objectives",
    "the session times",
    "the parents' duty under section 444(1) of the Education Act 1996, as if it were the school",
    "that parental consent is not required",
)


def latest_letter_date(start_date: dt.date, calendar: SchoolCalendar) -> dt.date | None:
    """6.5: the last day the letter to parents may be sent — the 2nd school day before the start, counting
    back over weekends, bank holidays, training days and school holidays. None when the school's calendar
    does not reach back that far (the date cannot be worked out until it is entered)."""
    try:
        return calendar.nth_school_day_before(start_date, LETTER_SCHOOL_DAYS_BEFORE_START)
    except CalendarNotEntered:
        return None


def letter_date_problem(sent_on: dt.date, start_date: dt.date, latest: dt.date | None,
                        today: dt.date) -> str | None:
    """6.5: why a letter cannot be recorded as sent on `sent_on` (None if it can)."""
    if sent_on > today:
        return "The letter cannot be recorded as sent on a day still to come."
    if latest is None:
        return ("The school calendar does not reach back far enough to count 2 school days before the start: "
                "enter the term dates first.")
    if sent_on > latest:
        return (f"The letter must be sent by {latest:%A %-d %B %Y}, 2 school days before the start on "
                f"{start_date:%A %-d %B %Y}. Move the start date if the letter went later.")
    return None


def time_limit_problems(start_date: dt.date, review_on: dt.date | None, ends_by: dt.date | None) -> dict[str, str]:
    """6.2: a direction is time-limited, with a review. Problems by field (empty when the dates are sound)."""
    problems: dict[str, str] = {}
    if ends_by is None:
        problems["ends_by"] = "Enter the latest date the direction may run to."
    elif ends_by <= start_date:
        problems["ends_by"] = "The direction must end after it starts."
    if review_on is None:
        problems["review_on"] = "Enter the date of the review."
    elif review_on < start_date:
        problems["review_on"] = "The review must be on or after the start date."
    elif ends_by is not None and review_on > ends_by:
        problems["review_on"] = "The review must be on or before the end of the direction."
    return problems


def number_of_days(start_date: dt.date, ends_by: dt.date, weekdays: set[int], calendar: SchoolCalendar) -> int:
    """The number of days the letter tells parents: school days from the start to the end of the direction
    on which the pupil has a session at the provision."""
    return sum(1 for d in calendar.school_days_between(start_date, ends_by) if d.weekday() in weekdays)
