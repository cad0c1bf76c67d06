"""The trust safeguarding picture (issue 16 item 1; policy 4.4, 4.5, 7.8; KCSIE): what the trust safeguarding
lead must see across every school today, and what has been escalated to a trust role (their inbox).

Everything here runs inside a trust scope the caller entered (audited). A fixed number of queries whatever the
number of schools: each list is one query with its related rows loaded in batches.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import School
from app.models.attendance import AttendanceSession, WelfareCheck, WelfareCheckOutcome
from app.models.oversight import HeadteacherReport
from app.models.tasks import Task, TaskStatus
from app.policy.attendance import SessionKind
from app.policy.oversight_thresholds import welfare_check_overdue
from app.policy.welfare import MISSING_CHILD_STEPS
from app.roles import TrustRoleName
from app.services.providers import open_concerns_across_trust, school_names, suspended_providers, user_names
from app.services.tasks import TASK_KINDS, TaskKind
from app.services.welfare_checks import SUBJECT as WELFARE_SUBJECT

# Not-located cases stay on the picture this long after the pupil is found, so the lead sees them closed.
FOUND_CASES_SHOWN_FOR = dt.timedelta(days=14)


@dataclass
class OpenCheck:
    check: WelfareCheck
    school: School
    age: dt.timedelta
    overdue: bool
    holder: str  # who holds it now: the role or person, and how far it has escalated

    @property
    def age_text(self) -> str:
        minutes = int(self.age.total_seconds() // 60)
        days, minutes = divmod(minutes, 24 * 60)
        hours, minutes = divmod(minutes, 60)
        return (f"{days} d " if days else "") + f"{hours} h {minutes} min"


@dataclass
class NotLocatedCase:
    check: WelfareCheck
    school: School
    still_missing: bool
    steps: tuple[str, ...] = MISSING_CHILD_STEPS


@dataclass
class UnconfirmedSession:
    session: AttendanceSession
    school: School


@dataclass
class SafeguardingPicture:
    open_checks: list[OpenCheck] = field(default_factory=list)
    not_located: list[NotLocatedCase] = field(default_factory=list)
    escalated: list[Task] = field(default_factory=list)
    unconfirmed: list[UnconfirmedSession] = field(default_factory=list)
    concerns: list = field(default_factory=list)
    suspended: list = field(default_factory=list)
    schools: dict[int, School] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)


def _schools() -> dict[int, School]:
    return {s.id: s for s in db.session.scalars(select(School).order_by(School.name))}


def _holder(task: Task | None, people: dict[int, str]) -> str:
    if task is None:
        return "No open task"
    who = people.get(task.assigned_user_id) if task.assigned_user_id else (
        task.assigned_role.label if task.assigned_role else "")
    steps = TASK_KINDS[TaskKind(task.kind)].escalation if task.kind in TaskKind._value2member_map_ else ()
    reached = [step.to.label for step in steps[:task.escalation_level]]
    return who + (f"; escalated to {', '.join(reached)}" if reached else "")


def escalation_filter(roles) -> object:
    """Open tasks whose escalation has reached one of these trust roles (the same rule as a school role's
    inbox, app.services.tasks._visible_to, for trust roles)."""
    clauses = []
    for kind, rules in TASK_KINDS.items():
        for level, step in enumerate(rules.escalation, start=1):
            if step.to in roles:
                clauses.append(and_(Task.kind == kind.value, Task.escalation_level >= level))
                break
    return or_(*clauses) if clauses else false()


def escalated_to(roles) -> list[Task]:
    """KCSIE, 4.4, 8.3: every open task, in any school, escalated to one of these trust roles, oldest due first:
    the trust role's inbox."""
    return list(db.session.scalars(select(Task).where(Task.status == TaskStatus.OPEN, escalation_filter(roles))
                                   .order_by(Task.due_at, Task.id)))


def _welfare_tasks(check_ids) -> dict[int, Task]:
    """The open welfare task of each check (the not-located follow-up if there is one, it is the later)."""
    if not check_ids:
        return {}
    found: dict[int, Task] = {}
    for task in db.session.scalars(select(Task).where(
            Task.subject_type == WELFARE_SUBJECT, Task.subject_id.in_(list(check_ids)),
            Task.status == TaskStatus.OPEN).order_by(Task.id)):
        found[task.subject_id] = task
    return found


def safeguarding_picture(now: dt.datetime | None = None, trust_roles=(TrustRoleName.TRUST_SAFEGUARDING_LEAD,)
                         ) -> SafeguardingPicture:
    """Issue 16 item 1 (KCSIE; 4.4, 4.5, 7.8): open welfare checks oldest first with their school, age and
    holder; every pupil not located (until found, and a fortnight after); what has escalated to the trust;
    sessions unconfirmed past their cut-off now; open provider concerns and suspended providers."""
    now = now or clock.now()
    today = clock.to_local(now).date()
    picture = SafeguardingPicture(schools=_schools())
    loaded = (selectinload(WelfareCheck.pupil),
              selectinload(WelfareCheck.attendance_session).selectinload(AttendanceSession.provider))
    open_checks = list(db.session.scalars(select(WelfareCheck).options(*loaded).where(
        WelfareCheck.archived_at.is_(None), WelfareCheck.recorded_at.is_(None))
        .order_by(WelfareCheck.raised_at, WelfareCheck.id)))
    cases = list(db.session.scalars(select(WelfareCheck).options(*loaded).where(
        WelfareCheck.archived_at.is_(None), WelfareCheck.missing_procedure_started_at.is_not(None),
        or_(WelfareCheck.outcome == WelfareCheckOutcome.NOT_LOCATED,
            WelfareCheck.recorded_at >= now - FOUND_CASES_SHOWN_FOR))
        .order_by(WelfareCheck.missing_procedure_started_at, WelfareCheck.id)))
    tasks = _welfare_tasks({c.id for c in open_checks})
    picture.escalated = escalated_to(trust_roles)
    picture.people = user_names({t.assigned_user_id for t in [*tasks.values(), *picture.escalated]}
                                | {c.recorded_by_id for c in cases})
    for check in open_checks:
        picture.open_checks.append(OpenCheck(
            check, picture.schools[check.school_id], now - check.raised_at,
            welfare_check_overdue(check.raised_at, now), _holder(tasks.get(check.id), picture.people)))
    picture.not_located = [NotLocatedCase(c, picture.schools[c.school_id],
                                          c.outcome is WelfareCheckOutcome.NOT_LOCATED)
                           for c in sorted(cases, key=lambda c: c.outcome is not WelfareCheckOutcome.NOT_LOCATED)]
    picture.unconfirmed = [UnconfirmedSession(s, picture.schools[s.school_id]) for s in db.session.scalars(
        select(AttendanceSession).options(selectinload(AttendanceSession.pupil),
                                          selectinload(AttendanceSession.provider))
        .where(AttendanceSession.day == today, AttendanceSession.kind == SessionKind.PROVISION,
               AttendanceSession.confirmed_at.is_(None), AttendanceSession.cutoff_at <= now)
        .order_by(AttendanceSession.cutoff_at, AttendanceSession.id))]
    picture.concerns = open_concerns_across_trust()
    picture.suspended = suspended_providers()
    return picture


def counts_by_school(picture: SafeguardingPicture) -> dict[int, dict[str, int]]:
    """The picture's rows counted per school (the summary table above the lists)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for line in picture.open_checks:
        counts[line.school.id]["open"] += 1
        counts[line.school.id]["overdue"] += line.overdue
    for case in picture.not_located:
        counts[case.school.id]["not_located"] += case.still_missing
    for line in picture.unconfirmed:
        counts[line.school.id]["unconfirmed"] += 1
    for task in picture.escalated:
        counts[task.school_id]["escalated"] += 1
    return counts


# --- read-only records in the trust scope ---------------------------------------------------------------------


def welfare_check_for_trust(check_id: int) -> WelfareCheck | None:
    """One welfare check of any school, with what the read-only page shows (in the trust scope)."""
    return db.session.scalar(select(WelfareCheck).options(
        selectinload(WelfareCheck.pupil), selectinload(WelfareCheck.recorded_by),
        selectinload(WelfareCheck.attendance_session).selectinload(AttendanceSession.provider))
        .where(WelfareCheck.id == check_id, WelfareCheck.archived_at.is_(None)))


def tasks_about(subject_type: str, subject_id: int, school_id: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(
        Task.school_id == school_id, Task.subject_type == subject_type, Task.subject_id == subject_id)
        .order_by(Task.id)))


def task_for_trust(task_id: int) -> Task | None:
    return db.session.get(Task, task_id)


def report_for_trust(report_id: int):
    """A school's headteacher's report that was sent to the trust (4.2); None otherwise."""
    return db.session.scalar(select(HeadteacherReport).where(
        HeadteacherReport.id == report_id, HeadteacherReport.archived_at.is_(None),
        HeadteacherReport.sent_to_trust_at.is_not(None)))


def school_of(school_id: int) -> School:
    return db.session.get(School, school_id)


def names_of_people(ids) -> dict[int, str]:
    return user_names(ids)


__all__ = ["safeguarding_picture", "escalated_to", "counts_by_school", "welfare_check_for_trust", "tasks_about",
           "task_for_trust", "school_of", "names_of_people", "school_names"]
