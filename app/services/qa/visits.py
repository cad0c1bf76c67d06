"""Planned visits (8.1, 8.3): when each provider is next due a visit, the daily sweep's tasks, the school
view's lines and the trust's overdue counts."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import (
    Placement,
    PlacementStatus,
    Provider,
    QAActivity,
    QAActivityKind,
    Task,
    TaskStatus,
)
from app.policy.qa import visit_task_dates
from app.policy.reviews import QAVisitDue, provider_qa_every_weeks, qa_visits_due
from app.services.figure_rows import read_rows, record_rows
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_tasks_for, ensure_task
from tenants import require_school_id

from .base import (
    QA_TASK_KIND,
)


@dataclass(frozen=True)
class ProviderVisitLine:
    provider: Provider
    placements: list[Placement]
    last_visit_on: dt.date | None
    due: QAVisitDue


def _active_placements(today: dt.date) -> list[Placement]:
    return list(db.session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.ACTIVE, Placement.archived_at.is_(None),
                                Placement.start_date <= today)
        # One query: each placement has one of each, joined in (three more queries as selectinloads, issue 18).
        .options(joinedload(Placement.agreement), joinedload(Placement.pupil), joinedload(Placement.provider))
        .order_by(Placement.start_date, Placement.id)))


def last_visit_selects(provider_ids) -> list[Select]:
    """Each provider's last visit, as a `record_rows` SELECT: the dashboard reads it with its other cards in one
    UNION ALL (issue 18)."""
    ids = list(provider_ids)
    if not ids:
        return []
    return [record_rows("qa.last_visit", QAActivity.school_id, days=(func.max(QAActivity.held_on),),
                        numbers=(QAActivity.provider_id,))
            .where(QAActivity.provider_id.in_(ids), QAActivity.kind == QAActivityKind.PROVIDER_VISIT,
                   QAActivity.archived_at.is_(None))
            .group_by(QAActivity.school_id, QAActivity.provider_id)]


def provider_visit_lines(today: dt.date | None = None, placements: list[Placement] | None = None,
                         rows: dict[str, list] | None = None) -> list[ProviderVisitLine]:
    """Each provider of the school's started, active placements with its last visit and when the next is due
    (app.policy.reviews.qa_visits_due: the most frequent agreed frequency, counted from the later of the last
    visit and the earliest active start), overdue first, then soonest due. Two queries whatever the size; one
    given `placements`, the started, active placements already read (with their agreements and providers); none
    given `rows` too, `last_visit_selects` of their providers already read."""
    today = today or clock.today()
    by_provider: dict[int, list[Placement]] = defaultdict(list)
    for placement in _active_placements(today) if placements is None else placements:
        by_provider[placement.provider_id].append(placement)
    if rows is None:
        rows = read_rows(last_visit_selects(by_provider))
    last = {r.number_1: r.day_1 for r in rows["qa.last_visit"]}
    lines = []
    for placements in by_provider.values():
        provider = placements[0].provider
        every = provider_qa_every_weeks(p.agreement.qa_visit_every_weeks if p.agreement else None for p in placements)
        due = qa_visits_due(last.get(provider.id), every, today, min(p.start_date for p in placements))
        lines.append(ProviderVisitLine(provider, placements, last.get(provider.id), due))
    return sorted(lines, key=lambda line: (not line.due.overdue, line.due.due_on, line.provider.name))


def qa_task_key(provider_id: int, due: QAVisitDue) -> str:
    """One task per provider per visit cycle: a visit recorded moves `counted_from`, and the next cycle's key."""
    return f"qa-visit-due:{provider_id}:{due.counted_from.isoformat()}"


def _open_qa_tasks() -> dict[int, Task]:
    return {t.subject_id: t for t in db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.kind == QA_TASK_KIND, Task.status == TaskStatus.OPEN,
        Task.subject_type == "provider"))}


def create_due_qa_visit_tasks(calendar, today: dt.date) -> int:
    """The daily QA visit sweep for the current school: for each provider of its active placements, once the
    day to arrange the next visit has come (app.policy.qa.visit_task_dates), a task for the AP leader due by the
    end of the school day the visit is due (reminder, then the headteacher once overdue). One open task per
    provider; idempotent (the cycle's dedupe key). A provider the school no longer has active placements with
    needs no visit: its open task is closed. Returns how many tasks were made."""
    lines = provider_visit_lines(today)
    open_tasks = _open_qa_tasks()
    made = 0
    for line in lines:
        if line.provider.id in open_tasks:
            continue
        dates = visit_task_dates(line.due.due_on, calendar)
        if today < dates.ask_from:
            continue
        pupils = ", ".join(p.pupil.display_name for p in line.placements)
        detail = (f"Visit {line.provider.name} by {dates.due_on:%A %-d %B %Y} (every {line.due.every_weeks} weeks as "
                  f"agreed when commissioning; policy 8.1, 8.3, 8.4). Pupils placed there: {pupils}.")
        made += ensure_task(
            TaskKind.QA_VISIT_DUE, qa_task_key(line.provider.id, line.due),
            f"Quality-assurance visit to {line.provider.name}"[:300],
            clock.local_datetime(dates.due_on, END_OF_SCHOOL_DAY), subject=("provider", line.provider.id),
            link=("qa.new_activity", {"provider_id": line.provider.id}), detail=detail[:2000])[1]
    placed = {line.provider.id for line in lines}
    for provider_id in set(open_tasks) - placed:
        complete_tasks_for("provider", provider_id, [TaskKind.QA_VISIT_DUE], None)
    return made


@dataclass(frozen=True)
class PlacementQALine:
    placement: Placement
    last_visit_on: dt.date | None
    next_visit_due_on: dt.date
    overdue: bool


def placement_qa_lines(today: dt.date | None = None, placements: list[Placement] | None = None,
                       rows: dict[str, list] | None = None) -> list[PlacementQALine]:
    """The school view (8.1): every active placement's last and next QA visit to its provider, overdue first.
    `placements`, `rows`: the started, active placements and their providers' last visits already read (the school
    view's, see provider_visit_lines)."""
    lines = [PlacementQALine(p, line.last_visit_on, line.due.due_on, line.due.overdue)
             for line in provider_visit_lines(today, placements, rows) for p in line.placements]
    return sorted(lines, key=lambda m: (not m.overdue, m.next_visit_due_on, m.placement.id))


def overdue_qa_counts_by_school() -> dict[int, int]:
    """Each school's count of overdue QA visits (open visit tasks past their due time), as {school id: n}. Call
    inside a trust scope."""
    return dict(db.session.execute(
        select(Task.school_id, func.count(Task.id)).where(
            Task.kind == QA_TASK_KIND, Task.status == TaskStatus.OPEN, Task.due_at <= clock.now())
        .group_by(Task.school_id)).all())
