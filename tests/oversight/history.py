"""A school with AP history for the oversight tests: its calendar for 2024-25 and 2025-26, and per half-term a
placement with attendance marks, a welfare check, a review task and a review. `weeks` sets how much history."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.clock import local_datetime
from app.extensions import db
from app.models import (
    HalfTerm,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Pupil,
    School,
    SchoolPhase,
    Task,
    Term,
)
from app.models.attendance import AttendanceSession, WelfareCheck, WelfareCheckOutcome
from app.models.monitoring import PlacementReview
from app.models.placements import CostUnit, SessionOfDay
from app.school_calendar import generate_school_year
from tenants import school_scope, system_scope


def add_school(world, slug: str, name: str) -> int:
    with system_scope("test: another school"):
        school = School(trust_id=world.trust.id, name=name, slug=slug, urn=f"9{abs(hash(slug)) % 10**5:05d}",
                        phase=SchoolPhase.SECONDARY, local_authority_id=world.la.id)
        db.session.add(school)
        db.session.commit()
        return school.id


def enter_years(school_id: int, years=(2024, 2025)) -> None:
    with school_scope(school_id):
        for year in years:
            for h in generate_school_year(year):
                db.session.add(HalfTerm(school_id=school_id, academic_year=h.academic_year, term=Term(h.term),
                                        part=h.part, first_day=h.first_day, last_day=h.last_day))
        db.session.commit()


def add_history(school_id: int, provider_id: int, recorder_id: int, first_name: str, start: dt.date,
                end: dt.date | None, *, cost=Decimal("50.00"), unit=CostUnit.SESSION, codes=("B", "B", "O"),
                destination: str | None = None, not_located: bool = False) -> int:
    """A placement from `start` to `end` (None: still active), marked every Monday with `codes` in turn, a
    welfare check on its first Monday, a review task due (and done) and a review held a fortnight in."""
    with school_scope(school_id):
        pupil = Pupil(upn=f"H{abs(hash((first_name, school_id, start))) % 10**12:012d}", first_name=first_name,
                      last_name="Historic", date_of_birth=dt.date(2011, 1, 1), year_group=10)
        db.session.add(pupil)
        db.session.flush()
        placement = Placement(pupil_id=pupil.id, provider_id=provider_id, start_date=start, ended_on=end,
                              status=PlacementStatus.ENDED if end else PlacementStatus.ACTIVE,
                              end_destination=destination)
        db.session.add(placement)
        db.session.flush()
        db.session.add(PlacementAgreement(placement_id=placement.id, cost_amount=cost, cost_unit=unit))
        day = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        last = end or dt.date(2026, 3, 13)
        i = 0
        while day <= last:
            db.session.add(AttendanceSession(
                placement_id=placement.id, pupil_id=pupil.id, provider_id=provider_id, day=day,
                session=SessionOfDay.AM, starts_at=dt.time(9), ends_at=dt.time(12),
                cutoff_at=local_datetime(day, dt.time(9, 30)), register_code=codes[i % len(codes)],
                confirmed_at=local_datetime(day, dt.time(9, 20))))
            day += dt.timedelta(days=7)
            i += 1
        first_monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        db.session.add(WelfareCheck(pupil_id=pupil.id, raised_at=local_datetime(first_monday, dt.time(10, 30)),
                                    recorded_at=local_datetime(first_monday, dt.time(11)),
                                    outcome=WelfareCheckOutcome.NOT_LOCATED if not_located
                                    else WelfareCheckOutcome.SEEN_AND_SAFE,
                                    missing_procedure_started_at=local_datetime(first_monday, dt.time(11))
                                    if not_located else None))
        due = local_datetime(first_monday + dt.timedelta(days=14), dt.time(17))
        db.session.add(Task(kind="half_termly_review", title="Review", dedupe_key=f"h-review:{placement.id}",
                            due_at=due, status="done", completed_at=due - dt.timedelta(hours=2)))
        db.session.add(PlacementReview(placement_id=placement.id, pupil_id=pupil.id,
                                       held_on=first_monday + dt.timedelta(days=14), progress_against_aims="Good",
                                       pupil_views="Likes it", parents_views="Pleased", recorded_by_id=recorder_id))
        db.session.commit()
        return placement.id
