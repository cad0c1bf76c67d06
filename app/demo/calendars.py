"""Demo calendars: every demo school gets the current and the next school year, so that whatever day the demo
is seeded, today sits inside a real-looking school year (reference/calendar.md)."""
from __future__ import annotations

from app.clock import today
from app.extensions import db
from app.models import HalfTerm, Term, TrainingDay
from app.school_calendar import SchoolCalendar, academic_year_of, generate_school_year


def demo_school_years(day) -> tuple[int, int]:
    """The school year `day` is in and the next one. Before Autumn 1 begins (the summer holiday) the current
    year is the one just ended, so the demo shows its last weeks and the year to come."""
    year = academic_year_of(day)
    if day < generate_school_year(year)[0].first_day:
        year -= 1
    return year, year + 1


def seed_calendars(trust) -> None:
    """Half-terms for the school year before (placements that ended, from any day of the year), the current and
    the next school year, and two training days a year (the first school days of Autumn 2 and of Spring 1), for
    every school of the trust. Runs in the demo seed's system scope: rows name their school."""
    current, following = demo_school_years(today())
    years = (current - 1, current, following)
    for school in trust.schools:
        for year in years:
            half_terms = generate_school_year(year)
            calendar = SchoolCalendar(half_terms)
            for h in half_terms:
                db.session.add(HalfTerm(school_id=school.id, academic_year=h.academic_year, term=Term(h.term),
                                        part=h.part, first_day=h.first_day, last_day=h.last_day))
            for h, note in ((half_terms[1], "Staff training: safeguarding update"),
                            (half_terms[2], "Staff training: curriculum planning")):
                db.session.add(TrainingDay(school_id=school.id, day=calendar.first_school_day_of_half_term(h),
                                           note=note))
