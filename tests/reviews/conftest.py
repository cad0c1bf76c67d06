"""School A of the test world with the reference 2025-26 calendar (the one tests/policy/test_reviews.py uses, its
training days included) and active placements made directly, for the review sweep, pages and API."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import now
from app.extensions import db
from app.models import (
    HalfTerm,
    Notification,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    Task,
    Term,
    TrainingDay,
)
from app.school_calendar import generate_school_year
from tenants import school_scope, system_scope

D = dt.date
TRAINING_DAYS = (D(2025, 9, 4), D(2025, 11, 3), D(2026, 2, 23), D(2026, 6, 1), D(2026, 5, 15))
# Each half-term's first school day and the half-termly due date (as tests/policy/test_reviews.py has them).
HALF_TERMS = [
    (D(2025, 9, 5), D(2025, 10, 17)),
    (D(2025, 11, 4), D(2025, 12, 12)),
    (D(2026, 1, 5), D(2026, 2, 6)),
    (D(2026, 2, 24), D(2026, 3, 20)),
    (D(2026, 4, 13), D(2026, 5, 14)),
    (D(2026, 6, 2), D(2026, 7, 16)),
]


def enter_year(school_id: int, year: int = 2025, training_days=TRAINING_DAYS) -> None:
    with school_scope(school_id):
        for h in generate_school_year(year):
            db.session.add(HalfTerm(academic_year=h.academic_year, term=Term(h.term), part=h.part,
                                    first_day=h.first_day, last_day=h.last_day))
        for day in training_days:
            db.session.add(TrainingDay(day=day, note="Staff training (test)"))
        db.session.commit()


def provider(name: str = "Willow Farm Learning") -> int:
    with system_scope("test: a provider"):
        row = Provider(name=name, kind=ProviderKind.OFF_SITE,
                       registration_status=RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL)
        db.session.add(row)
        db.session.commit()
        return row.id


@dataclass
class Made:
    placement_id: int
    pupil_id: int


def active_placement(ids, school_key: str = "a", *, first_name: str = "Robin", start: dt.date = dt.date(2025, 9, 4),
                     end: dt.date | None = None, every_weeks: int | None = None, provider_id: int | None = None,
                     ehcp: bool = False, looked_after: bool = False, social_worker: bool = False,
                     social_worker_email: str | None = "sw.example@children.example.org",
                     status: PlacementStatus = PlacementStatus.ACTIVE, aims: str = "Back to maths lessons") -> Made:
    school_id = ids.schools[school_key]
    provider_id = provider_id or provider(f"{first_name}'s provider")
    with school_scope(school_id):
        pupil = Pupil(upn=f"R{abs(hash((first_name, school_id))) % 10**12:012d}", first_name=first_name,
                      last_name="Testcase", date_of_birth=D(2012, 5, 17), year_group=9, has_ehcp=ehcp,
                      is_looked_after=looked_after, has_social_worker=social_worker or looked_after,
                      social_worker_name="Sam Caseworker" if (social_worker or looked_after) else None,
                      social_worker_email=social_worker_email if (social_worker or looked_after) else None)
        db.session.add(pupil)
        db.session.flush()
        placement = Placement(pupil_id=pupil.id, provider_id=provider_id, start_date=start, planned_end_date=end,
                              status=status, started_at=now() if status == PlacementStatus.ACTIVE else None)
        db.session.add(placement)
        db.session.flush()
        db.session.add(PlacementAgreement(placement_id=placement.id, aims_and_outcomes=aims,
                                          review_every_weeks=every_weeks))
        db.session.commit()
        return Made(placement.id, pupil.id)


def review_tasks(school_id: int) -> list[Task]:
    with school_scope(school_id):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).where(Task.kind == "half_termly_review").order_by(Task.id)))


def outbox(template: str) -> list[Notification]:
    with system_scope("test: read the outbox"):
        db.session.expire_all()
        return list(db.session.scalars(select(Notification).where(Notification.template == template)
                                       .order_by(Notification.id)))
