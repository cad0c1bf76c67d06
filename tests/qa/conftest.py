"""School A of the test world with the reference 2025-26 calendar (tests/reviews/conftest.py's, training days
included), active placements with a QA visit frequency agreed when commissioning, and QA records made through the
service, for the QA sweep, pages, feed and API."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import FollowUpAction, Placement, PlacementAgreement, QAActivity, School, Task, User
from app.services.qa import ActionInput, ActivityInput, record_activity
from tenants import school_scope
from tests.reviews.conftest import D, Made, active_placement, enter_year, provider  # noqa: F401  (re-exported)

VISIT = {
    "staff_spoken_with": "Ms Tutor (key worker) and the centre manager",
    "pupils_spoken_with": "Robin, on their own",
    "parents_spoken_with": "Robin's mum by phone",
    "work_reviewed": "Maths and English books since September",
    "lessons_observed": "A maths lesson and the workshop",
    "unstructured_time_observed": "Lunch and the morning break",
    "findings": "Good relationships; work well matched; lunch supervision thin",
}


def qa_placement(ids, school_key: str = "a", *, qa_every_weeks: int | None = None, **kwargs) -> Made:
    made = active_placement(ids, school_key, **kwargs)
    if qa_every_weeks is not None:
        with school_scope(ids.schools[school_key]):
            agreement = db.session.scalar(select(PlacementAgreement).where(
                PlacementAgreement.placement_id == made.placement_id))
            agreement.qa_visit_every_weeks = qa_every_weeks
            db.session.commit()
    return made


def provider_of(ids, made: Made, school_key: str = "a") -> int:
    with school_scope(ids.schools[school_key]):
        return db.session.get(Placement, made.placement_id).provider_id


def visit(ids, provider_id: int, held_on: dt.date, *, by: str = "a.ap_leader", school_key: str = "a",
          actions: list[ActionInput] = (), **changes):
    """Record a visit to the provider through the service, as the page does."""
    school_id = ids.schools[school_key]
    with school_scope(school_id):
        data = ActivityInput(kind="provider_visit", held_on=held_on, provider_id=provider_id, actions=list(actions),
                             **{**VISIT, **changes})
        result = record_activity(data, db.session.get(User, ids.users[by]), db.session.get(School, school_id))
        assert result.ok, result.errors
        return result.record.id


def qa_tasks(school_id: int, kind: str = "qa_visit_due") -> list[Task]:
    with school_scope(school_id):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).where(Task.kind == kind).order_by(Task.id)))


def count(school_id: int, model) -> int:
    with school_scope(school_id):
        return len(db.session.scalars(select(model)).all())


__all__ = ["D", "VISIT", "FollowUpAction", "QAActivity", "count", "enter_year", "provider", "provider_of",
           "qa_placement", "qa_tasks", "visit"]
