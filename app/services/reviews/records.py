"""Finding reviews and placements in the current school (404 for another school's), the active placements,
the review obligations each owes and those a review has met, and the open review tasks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import (
    Placement,
    PlacementReview,
    PlacementStatus,
    Task,
    TaskStatus,
)
from app.policy.reviews import ReviewObligation, reviews_due_in_half_term
from app.school_calendar import SchoolCalendar
from app.services.calendar import calendar_for_school
from app.services.tasks import TaskKind
from tenants import require_school_id
from tenants.access import school_record_or_404

REVIEW_KIND = TaskKind.HALF_TERMLY_REVIEW.value
LONG_TEXT = 20_000
# What a line of the reviews pages shows of a placement, read with it (each placement has one of each).
PLACEMENT_DETAILS = (joinedload(Placement.agreement), joinedload(Placement.pupil), joinedload(Placement.provider))



def access_review(review_id: int) -> PlacementReview:
    return school_record_or_404(PlacementReview, review_id, what="review")


def school_reviews(placement_id: int | None = None) -> list[PlacementReview]:
    """The current school's reviews, most recent first; one placement's with `placement_id`."""
    query = select(PlacementReview).where(PlacementReview.archived_at.is_(None))
    if placement_id is not None:
        query = query.where(PlacementReview.placement_id == placement_id)
    return list(db.session.scalars(query.order_by(PlacementReview.held_on.desc(), PlacementReview.id.desc())))


def access_placement(placement_id: int) -> Placement:
    return school_record_or_404(Placement, placement_id)


def _calendar() -> SchoolCalendar:

    return calendar_for_school()


def active_placements(today: dt.date) -> list[Placement]:
    """The school's started, active placements (with pupil, provider and agreement), oldest start first. One
    query: each has one of each, joined in (three more queries as selectinloads, issue 18)."""
    return list(db.session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.ACTIVE, Placement.archived_at.is_(None),
                                Placement.start_date <= today)
        .options(*PLACEMENT_DETAILS)
        .order_by(Placement.start_date, Placement.id)))


def reviews_of(placement: Placement) -> list[PlacementReview]:
    return list(db.session.scalars(
        select(PlacementReview).where(PlacementReview.placement_id == placement.id,
                                      PlacementReview.archived_at.is_(None))
        .order_by(PlacementReview.held_on.desc(), PlacementReview.id.desc())))


def _obligations(placement: Placement, calendar: SchoolCalendar, day: dt.date) -> list[ReviewObligation]:
    """8.2, 8.3: the reviews the placement owes in the half-term of `day` (none outside term time)."""
    half_term = calendar.half_term_for(day)
    if half_term is None:
        return []
    agreement = placement.agreement
    return reviews_due_in_half_term(
        half_term, calendar, placement.start_date, placement.ended_on or placement.planned_end_date,
        agreement.review_every_weeks if agreement else None, placement_id=placement.id) or []


def _met_keys(placement_ids) -> set[str]:
    ids = list(placement_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(PlacementReview.dedupe_key).where(
        PlacementReview.placement_id.in_(ids), PlacementReview.dedupe_key.is_not(None),
        PlacementReview.archived_at.is_(None))))



def open_review_task_criteria(placement_ids=None) -> list:
    """The school's open review tasks (of these placements): what `_open_review_tasks` reads, for a UNION too."""
    criteria = [Task.school_id == require_school_id(), Task.kind == REVIEW_KIND, Task.status == TaskStatus.OPEN,
                Task.subject_type == "placement"]
    if placement_ids is not None:
        criteria.append(Task.subject_id.in_(list(placement_ids)))
    return criteria


def _open_review_tasks(placement_ids=None) -> list[Task]:
    return list(db.session.scalars(select(Task).where(*open_review_task_criteria(placement_ids))
                                   .order_by(Task.due_at, Task.id)))


def review_task_key_criteria(due_from: dt.date) -> list:
    """The school's review tasks (open or not) due from this day on: what `_review_task_keys` reads."""
    return [Task.school_id == require_school_id(), Task.kind == REVIEW_KIND,
            Task.due_at >= clock.local_datetime(due_from, dt.time(0))]


def _review_task_keys(due_from: dt.date) -> set[str]:
    """The keys of the school's review tasks (open or not) due from this day on: one query, so a daily sweep
    over thousands of placements asks ensure_task only about the tasks still to make."""
    return set(db.session.scalars(select(Task.dedupe_key).where(*review_task_key_criteria(due_from))))


def _open_tasks_and_keys_since(due_from: dt.date | None) -> tuple[list[Task], set[str]]:
    """`_open_review_tasks()` and `_review_task_keys(due_from)` (none without `due_from`) in one query: the
    list of what is due asks for both (issue 18). Bounded by the open tasks and this half-term's."""
    is_open = and_(Task.status == TaskStatus.OPEN, Task.subject_type == "placement")
    due_since = clock.local_datetime(due_from, dt.time(0)) if due_from else None
    rows = db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.kind == REVIEW_KIND,
        or_(is_open, Task.due_at >= due_since) if due_since else is_open).order_by(Task.due_at, Task.id)).all()
    open_tasks = [t for t in rows if t.status == TaskStatus.OPEN and t.subject_type == "placement"]
    return open_tasks, {t.dedupe_key for t in rows if due_since and t.due_at >= due_since}


def _placements_with_details(ids) -> dict[int, Placement]:
    """Placements by id (an open review task's, no longer active), read with what a line shows, in one query."""
    ids = list(ids)
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Placement).where(Placement.id.in_(ids))
                                                .options(*PLACEMENT_DETAILS))}


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
