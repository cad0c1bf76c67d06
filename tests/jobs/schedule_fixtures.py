"""Helpers for the schedule, sweep, task and inbox tests (imported by each test module, not a shared conftest).

The fictional test world's schools A and B get the 2025-26 school year of the reference calendar:

    Autumn 1  Thu 4 Sep 2025 - Fri 24 Oct 2025     Spring 2  Mon 23 Feb 2026 - Fri 27 Mar 2026
    Autumn 2  Mon 3 Nov 2025 - Fri 19 Dec 2025     Summer 1  Mon 13 Apr 2026 - Fri 22 May 2026
    Spring 1  Mon 5 Jan 2026 - Fri 13 Feb 2026     Summer 2  Mon 1 Jun 2026 - Thu 23 Jul 2026

with a training day on Mon 5 Jan 2026. School C has no calendar at all.
"""
from __future__ import annotations

import datetime as dt

from rq import SimpleWorker
from sqlalchemy import func, select

from app.extensions import db
from app.models import HalfTerm, Notification, School, Task, Term, TrainingDay, User
from app.school_calendar import generate_school_year
from jobs.connection import all_queues, redis_connection
from tenants import school_scope, system_scope

TRAINING_DAY = dt.date(2026, 1, 5)
# Days of the 2025-26 year, by what they are for school A.
SCHOOL_DAY = "2026-03-10"  # a Tuesday in Spring 2
WEEKEND = "2026-03-14"  # a Saturday in Spring 2
BANK_HOLIDAY = "2026-05-04"  # the early May bank holiday, a Monday in Summer 1
HALF_TERM_WEEK = "2026-02-18"  # a Wednesday of the February break
TRAINING = "2026-01-05"  # Monday, the first day of Spring 1, a training day


def enter_calendar(school_id: int, year: int = 2025, parts: int = 6, training_days=(TRAINING_DAY,)) -> None:
    """Enter the first `parts` half-terms of the reference school year for one school."""
    with school_scope(school_id):
        for h in generate_school_year(year)[:parts]:
            db.session.add(HalfTerm(academic_year=h.academic_year, term=Term(h.term), part=h.part,
                                    first_day=h.first_day, last_day=h.last_day))
        for day in training_days:
            db.session.add(TrainingDay(day=day, note="Staff training (test)"))
        db.session.commit()


def enter_half_term(school_id: int, year: int, index: int) -> None:
    with school_scope(school_id):
        h = generate_school_year(year)[index]
        db.session.add(HalfTerm(academic_year=h.academic_year, term=Term(h.term), part=h.part,
                                first_day=h.first_day, last_day=h.last_day))
        db.session.commit()


def calendars_for_a_and_b(world) -> None:
    enter_calendar(world.a.id)
    enter_calendar(world.b.id)


def tasks_of(school_id: int) -> list[Task]:
    with school_scope(school_id):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).order_by(Task.id)))


def task_count() -> int:
    with system_scope("test: count every task"):
        return db.session.scalar(select(func.count(Task.id)))


def notifications(template_prefix: str = "task_") -> list[Notification]:
    with system_scope("test: read the outbox"):
        db.session.expire_all()
        return list(db.session.scalars(select(Notification).where(Notification.template.startswith(template_prefix))
                                       .order_by(Notification.id)))


def recipients(template: str) -> list[str]:
    return sorted(n.recipient_email for n in notifications(template))


def user(ids: Ids, key: str) -> User:
    """A user of the world, loaded in the current session."""
    return db.session.get(User, ids.users[key])


def school(ids: Ids, key: str) -> School:
    return db.session.get(School, ids.schools[key])


def run_worker(with_scheduler: bool = False) -> None:
    """Run every queued job in this process (a real RQ worker on the real Redis), then return."""
    conn = redis_connection()
    SimpleWorker(all_queues(conn), connection=conn).work(burst=True, with_scheduler=with_scheduler)


def queued_job_ids() -> list[str]:
    conn = redis_connection()
    return sorted(job_id for q in all_queues(conn) for job_id in q.job_ids)


class Ids:
    """The world's ids and emails, read once: a job ends with a fresh session, which detaches the world's objects."""

    def __init__(self, world):
        self.schools = {key: school.id for key, school in world.schools.items()}
        self.users = {key: u.id for key, u in world.users.items()}
        self.emails = {key: u.email for key, u in world.users.items()}

    @property
    def a(self) -> int:
        return self.schools["a"]

    @property
    def b(self) -> int:
        return self.schools["b"]

    @property
    def c(self) -> int:
        return self.schools["c"]
