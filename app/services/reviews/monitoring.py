"""The school view (every active placement's last and next review) and the trust view (overdue counts)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

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
from app.services.figure_rows import read_rows, record_rows

from .records import (
    REVIEW_KIND,
    _calendar,
    _obligations,
    active_placements,
    open_review_task_criteria,
    review_task_key_criteria,
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


def monitoring_selects(placement_ids: list[int], calendar: SchoolCalendar, today: dt.date) -> list[Select]:
    """What the school view's lines read, as `record_rows` SELECTs for one UNION ALL (the dashboard adds its other
    cards' to it, issue 18): the placements' reviews, their open review tasks, and the keys of the review tasks
    due from this half-term's first day (today's in the holidays)."""
    half_term = calendar.half_term_for(today)
    selects = [record_rows("review.task_key", Task.school_id, texts=(Task.dedupe_key,))
               .where(*review_task_key_criteria(half_term.first_day if half_term else today))]
    if placement_ids:
        selects += [
            record_rows("review.held", PlacementReview.school_id, days=(PlacementReview.held_on,),
                        texts=(PlacementReview.dedupe_key,), numbers=(PlacementReview.placement_id,))
            .where(PlacementReview.placement_id.in_(placement_ids), PlacementReview.archived_at.is_(None)),
            record_rows("review.open_task", Task.school_id, ats=(Task.due_at,), numbers=(Task.subject_id, Task.id))
            .where(*open_review_task_criteria(placement_ids))]
    return selects


def placement_monitoring_lines(calendar: SchoolCalendar | None = None, today: dt.date | None = None,
                               placements: list[Placement] | None = None,
                               rows: dict[str, list] | None = None) -> list[MonitoringLine]:
    """Every active placement's last review and next review due date, overdue first, then the soonest due. The
    next review is the earliest open review task, else this half-term's first obligation no review has met, else
    the next half-term's. `placements`: `active_placements(today)` already read (the school view's); `rows`:
    `monitoring_selects` already read (with the dashboard's other cards), else read here in one statement."""
    calendar = calendar or _calendar()
    today = today or clock.today()
    now = clock.now()
    placements = active_placements(today) if placements is None else placements
    if rows is None:
        rows = read_rows(monitoring_selects([p.id for p in placements], calendar, today))
    last, met = _last_reviews_and_met_keys(rows["review.held"])
    open_tasks: dict[int, list] = defaultdict(list)
    for task in sorted(rows["review.open_task"], key=lambda r: (r.at_1, r.number_2)):
        open_tasks[task.number_1].append(task.at_1)
    done_keys = {r.text_1 for r in rows["review.task_key"]}
    next_half_term = calendar.next_half_term(today)
    lines = []
    for placement in placements:
        due_ats = open_tasks.get(placement.id, [])
        overdue = any(due_at <= now for due_at in due_ats)
        if due_ats:
            next_due = clock.to_local(due_ats[0]).date()
        else:
            next_due = None
            later = _obligations(placement, calendar, next_half_term.first_day) if next_half_term else []
            for obligation in [*_obligations(placement, calendar, today), *later]:
                if obligation.dedupe_key not in met and obligation.dedupe_key not in done_keys:
                    next_due = obligation.due_on
                    break
        lines.append(MonitoringLine(placement, last.get(placement.id), next_due, overdue))
    return sorted(lines, key=lambda m: (not m.overdue, m.next_review_due_on or dt.date.max, m.placement.id))


def _last_reviews_and_met_keys(reviews: list) -> tuple[dict[int, dt.date], set[str]]:
    """Each placement's last review, and the keys of the obligations its reviews met (as `_met_keys`), from one
    read of the placements' reviews: two queries of the same rows before (issue 18)."""
    last: dict[int, dt.date] = {}
    met: set[str] = set()
    for review in reviews:
        placement_id, held_on = review.number_1, review.day_1
        last[placement_id] = max(held_on, last.get(placement_id, held_on))
        if review.text_1 is not None:
            met.add(review.text_1)
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
