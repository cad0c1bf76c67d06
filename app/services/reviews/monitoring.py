"""The school view (every active placement's last and next review) and the trust view (overdue counts)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    Placement,
    PlacementReview,
    School,
    Task,
    TaskStatus,
)
from app.school_calendar import SchoolCalendar

from .records import (
    REVIEW_KIND,
    _calendar,
    _obligations,
    _open_review_tasks,
    _review_task_keys,
    active_placements,
)


@dataclass
class MonitoringLine:
    """One active placement on the school view. The QA helper's fields join this line (see
    placement_monitoring_lines)."""

    placement: Placement
    last_review_on: dt.date | None
    next_review_due_on: dt.date | None
    review_overdue: bool
    extra: dict = field(default_factory=dict)  # other monitoring (QA visits) added by their own services

    @property
    def overdue(self) -> bool:
        return self.review_overdue or any(v for k, v in self.extra.items() if k.endswith("overdue"))


def placement_monitoring_lines(calendar: SchoolCalendar | None = None, today: dt.date | None = None,
                               placements: list[Placement] | None = None) -> list[MonitoringLine]:
    """Every active placement's last review and next review due date, overdue first, then the soonest due. The
    next review is the earliest open review task, else this half-term's first obligation no review has met, else
    the next half-term's. `placements`: `active_placements(today)` already read (the school view's)."""
    calendar = calendar or _calendar()
    today = today or clock.today()
    now = clock.now()
    placements = active_placements(today) if placements is None else placements
    ids = [p.id for p in placements]
    last, met = _last_reviews_and_met_keys(ids)
    open_tasks: dict[int, list[Task]] = defaultdict(list)
    for task in _open_review_tasks(ids):
        open_tasks[task.subject_id].append(task)
    half_term = calendar.half_term_for(today)
    done_keys = _review_task_keys(half_term.first_day if half_term else today)
    next_half_term = calendar.next_half_term(today)
    lines = []
    for placement in placements:
        tasks = open_tasks.get(placement.id, [])
        overdue = any(t.due_at <= now for t in tasks)
        if tasks:
            next_due = clock.to_local(tasks[0].due_at).date()
        else:
            next_due = None
            later = _obligations(placement, calendar, next_half_term.first_day) if next_half_term else []
            for obligation in [*_obligations(placement, calendar, today), *later]:
                if obligation.dedupe_key not in met and obligation.dedupe_key not in done_keys:
                    next_due = obligation.due_on
                    break
        lines.append(MonitoringLine(placement, last.get(placement.id), next_due, overdue))
    return sorted(lines, key=lambda m: (not m.overdue, m.next_review_due_on or dt.date.max, m.placement.id))


def _last_reviews_and_met_keys(placement_ids: list[int]) -> tuple[dict[int, dt.date], set[str]]:
    """Each placement's last review, and the keys of the obligations its reviews met (as `_met_keys`), from one
    read of the placements' reviews: two queries of the same rows before (issue 18)."""
    last: dict[int, dt.date] = {}
    met: set[str] = set()
    if not placement_ids:
        return last, met
    for placement_id, held_on, key in db.session.execute(
            select(PlacementReview.placement_id, PlacementReview.held_on, PlacementReview.dedupe_key)
            .where(PlacementReview.placement_id.in_(placement_ids), PlacementReview.archived_at.is_(None))):
        last[placement_id] = max(held_on, last.get(placement_id, held_on))
        if key is not None:
            met.add(key)
    return last, met


def overdue_counts_by_school() -> dict[School, dict[str, int]]:
    """Each active school's count of overdue half-termly reviews, as {school: {"reviews": n}} (the QA visits'
    count joins each school's dict). Call inside a trust scope."""
    now = clock.now()
    schools = list(db.session.scalars(select(School).where(School.is_active.is_(True)).order_by(School.name)))
    counts = dict(db.session.execute(
        select(Task.school_id, func.count(Task.id)).where(
            Task.kind == REVIEW_KIND, Task.status == TaskStatus.OPEN, Task.due_at <= now)
        .group_by(Task.school_id)).all())
    return {school: {"reviews": counts.get(school.id, 0)} for school in schools}
