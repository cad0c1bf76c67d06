"""When the AP policy is next reviewed (policy 12.2) and when the trust safeguarding lead is reminded.

12.2: the policy is reviewed every two years, or sooner in the event of changes to national legislation or
statutory guidance. The reminder goes far enough ahead for the trust to consult its schools.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt

REVIEW_EVERY_YEARS = 2
REMIND_BEFORE = dt.timedelta(days=60)


def next_review_on(adopted_on: dt.date) -> dt.date:
    """12.2: two years after adoption (29 February adopts to 28 February)."""
    try:
        return adopted_on.replace(year=adopted_on.year + REVIEW_EVERY_YEARS)
    except ValueError:
        return adopted_on.replace(year=adopted_on.year + REVIEW_EVERY_YEARS, day=28)


def review_reminder_on(review_on: dt.date) -> dt.date:
    """12.2: the day the trust safeguarding lead is reminded of the coming review."""
    return review_on - REMIND_BEFORE


def review_overdue(review_on: dt.date, today: dt.date) -> bool:
    return today > review_on
