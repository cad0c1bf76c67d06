"""The sweep (8.3): one task per review owed, from the half-term's (or the placement's) first school day; and
what is due."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app import clock
from app.models import (
    Placement,
)
from app.policy.reviews import ReviewObligation
from app.school_calendar import SchoolCalendar
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, ensure_task

from .records import (
    _calendar,
    _met_keys,
    _obligations,
    _open_tasks_and_keys_since,
    _placements_with_details,
    _review_task_keys,
    active_placements,
)


def create_due_review_tasks(calendar: SchoolCalendar, today: dt.date) -> int:
    """For every active placement, make the review tasks of the current half-term whose creation day has come
    (app.policy.reviews.reviews_due_in_half_term), for the AP leader, due by the end of the due day, linked to
    the review page. Idempotent (the obligation's dedupe key); an obligation a review already met gets no task.
    Returns how many tasks were made."""
    placements = active_placements(today)
    met = _met_keys(p.id for p in placements)
    half_term = calendar.half_term_for(today)
    made_before = _review_task_keys(half_term.first_day) if half_term else set()
    made = 0
    for placement in placements:
        for obligation in _obligations(placement, calendar, today):
            key = obligation.dedupe_key
            if obligation.created_on > today or key in met or key in made_before:
                continue
            made += ensure_review_task(placement, obligation, calendar)[1]
    return made



def _task_title(placement: Placement, obligation: ReviewObligation) -> str:
    title = f"Half-termly review: {placement.pupil.display_name} at {placement.provider.name}"
    return title if obligation.sequence == 1 else f"{title} (review {obligation.sequence} this half-term)"


def ensure_review_task(placement: Placement, obligation: ReviewObligation, calendar: SchoolCalendar):
    detail = (f"{obligation.half_term.name}: hold the formal review with {placement.pupil.display_name} and their "
              f"parents or carers by {obligation.due_on:%A %-d %B %Y} (policy 8.2, 8.3).")
    return ensure_task(
        TaskKind.HALF_TERMLY_REVIEW, obligation.dedupe_key, _task_title(placement, obligation)[:300],
        clock.local_datetime(obligation.due_on, END_OF_SCHOOL_DAY), subject=("placement", placement.id),
        link=("reviews.new", {"placement_id": placement.id}), detail=detail, calendar=calendar)


# --- what is due ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReview:
    placement: Placement
    due_on: dt.date
    dedupe_key: str
    overdue: bool
    task_id: int | None  # None: owed this half-term, the sweep has not made its task yet


def due_reviews(calendar: SchoolCalendar | None = None, today: dt.date | None = None) -> list[DueReview]:
    """The reviews due this half-term and any still open from before, overdue first, then soonest due: the open
    review tasks, and this half-term's obligations (whose day has come) that no review has met yet."""
    calendar = calendar or _calendar()
    today = today or clock.today()
    now = clock.now()
    placements = {p.id: p for p in active_placements(today)}
    half_term = calendar.half_term_for(today)
    open_tasks, tasked = _open_tasks_and_keys_since(half_term.first_day if half_term else None)
    others = _placements_with_details({t.subject_id for t in open_tasks} - placements.keys())
    lines: dict[str, DueReview] = {}
    for task in open_tasks:
        placement = placements.get(task.subject_id) or others.get(task.subject_id)
        if placement is None:
            continue
        lines[task.dedupe_key] = DueReview(placement, clock.to_local(task.due_at).date(), task.dedupe_key,
                                           task.due_at <= now, task.id)
    met = _met_keys(placements)
    for placement in placements.values():
        for obligation in _obligations(placement, calendar, today):
            key = obligation.dedupe_key
            if key in lines or key in met or key in tasked or obligation.created_on > today:
                continue  # listed already, met by a review, or its task is done
            due_at = clock.local_datetime(obligation.due_on, END_OF_SCHOOL_DAY)
            lines[key] = DueReview(placement, obligation.due_on, key, due_at <= now, None)
    return sorted(lines.values(), key=lambda d: (not d.overdue, d.due_on, d.placement.id))
