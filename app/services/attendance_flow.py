"""The attendance page at speed (issue 14 item 5): after a row is saved the page returns to the next row still
to confirm, and a day that is not a school day points to the school days either side of it."""
from __future__ import annotations

import datetime as dt

from app.models import AttendanceSession
from app.school_calendar import CalendarNotEntered, SchoolCalendar
from app.services.attendance_today import day_sessions, needs_confirming


def _place(session: AttendanceSession) -> tuple:
    # The page's order of the rows still to confirm (attendance_today.day_sessions).
    return (session.starts_at, session.provider.name if session.provider else "", session.pupil.last_name,
            session.pupil.first_name, session.session.value)


def next_unconfirmed(day: dt.date, after: AttendanceSession) -> AttendanceSession | None:
    """The row below `after` that still needs confirming, else the first such row above it, else None."""
    waiting = [s for s in day_sessions(day) if needs_confirming(s) and s.id != after.id]
    later = [s for s in waiting if _place(s) > _place(after)]
    return (later or waiting or [None])[0]


def school_days_around(calendar: SchoolCalendar, day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The school days before and after `day`, the next one even if it is still to come (None where the
    calendar is not entered that far)."""
    around = []
    for step in (calendar.nth_school_day_before, calendar.nth_school_day_after):
        try:
            around.append(step(day, 1))
        except CalendarNotEntered:
            around.append(None)
    return around[0], around[1]
