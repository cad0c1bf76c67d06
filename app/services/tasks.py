"""Tasks: work for a person, about a pupil, placement, provider or the school, due by a time.

Each kind of task declares, in one table (`app.policy.task_kinds.TASK_KINDS`), who does it by default, whether it
is urgent, when to remind before it is due and whom to tell, level by level, once it is overdue. Sweeps and later
capabilities make tasks with `ensure_task` (idempotent on the school and a dedupe key) and close them with
`complete_tasks_for` when the person acts on the thing the task is about ("acting on the thing completes the
task"). People see their open tasks in the inbox (`inbox_for`). Who is told, and when: `app.services.task_notices`;
the calendar readiness sweep: `app.services.calendar`.

Everything here runs inside a school's tenant scope; callers commit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import School, SchoolRole, User
from app.models.tasks import Task, TaskStatus

# Re-exported: callers name the kinds and the notices as app.services.tasks.X, as before the split.
from app.policy.task_kinds import (  # noqa: F401
    END_OF_SCHOOL_DAY,
    LONGEST_REMINDER_LEAD,
    START_OF_SCHOOL_DAY,
    TASK_KINDS,
    Escalation,
    KindRules,
    TaskKind,
    escalation_due_at,
    next_escalation,
    policy_times,
    reminder_due,
    reminder_time,
    rules_for,
)
from app.roles import SchoolRoleName
from app.services.notifications import prefetch_notification_keys
from app.services.task_notices import (  # noqa: F401
    _email_assignees,
    _event_key,
    _external_url,
    assignees,
    escalate,
    holders_of,
    inbox_url,
    remind_and_escalate,
    school_role_holders,
    send_reminder,
    task_link,
    trust_role_holders,
)
from app.state_changes import still
from tenants import require_school_id, school_scope

# What else "Mark done" in the inbox completes, by kind: the service that owns the subject registers it
# (app.services.qa for a follow-up action, 8.6), so this module knows no subject's service.
CompletionHook = Callable[[Task, User], None]
COMPLETION_HOOKS: dict[TaskKind, CompletionHook] = {}


def on_done_in_inbox(kind: TaskKind) -> Callable[[CompletionHook], CompletionHook]:
    """Register what marking a task of this kind done in the inbox also does (in the same transaction)."""
    def register(hook: CompletionHook) -> CompletionHook:
        COMPLETION_HOOKS[TaskKind(kind)] = hook
        return hook
    return register


class TaskNotFound(LookupError):
    """No such open task for this person in this school (shown as a 404)."""


class TaskNotDoneHere(ValueError):
    """This kind of task is completed by acting on its subject, not by ticking it off."""


# --- making and completing tasks ----------------------------------------------------------------------------


def ensure_task(kind: TaskKind, dedupe_key: str, title: str, due_at: datetime,
                assigned_role: SchoolRoleName | None = None, assigned_user_id: int | None = None,
                subject: tuple[str, int] | None = None, link: tuple[str, dict] | None = None,
                urgent: bool | None = None, detail: str | None = None, calendar=None) -> tuple[Task, bool]:
    """The task of the current school with this dedupe key, made now if there is none (then its assignees are
    emailed). Returns (task, created). Running it twice makes one task; so does running it in two sessions at
    once (the second's insert fails on the unique key inside a SAVEPOINT and it returns the first's row).

    `subject` is (subject_type, subject_id), e.g. ("placement", 41); `link` is (endpoint, args) of the page
    where it is acted on, without the school. With neither role nor user, the kind's default role does it.
    `calendar`: the school's, for a kind with `policy_dates` (loaded when not given).
    """
    existing = _task_by_key(dedupe_key)
    if existing is not None:
        return existing, False
    task = _new_task(TaskSpec(kind, dedupe_key, title, due_at, assigned_role, assigned_user_id, subject, link,
                              urgent, detail), require_school_id(), calendar)
    try:
        with db.session.begin_nested():
            db.session.add(task)
    except IntegrityError:
        # Another session made the same task between our look-up and our insert.
        existing = _task_by_key(dedupe_key)
        if existing is None:
            raise
        return existing, False
    _email_assignees(task, "task_assigned", "assigned")
    return task, True


@dataclass(frozen=True)
class TaskSpec:
    """ensure_task's arguments, for making many tasks at once (`ensure_tasks`)."""

    kind: TaskKind
    dedupe_key: str
    title: str
    due_at: datetime
    assigned_role: SchoolRoleName | None = None
    assigned_user_id: int | None = None
    subject: tuple[str, int] | None = None
    link: tuple[str, dict] | None = None
    urgent: bool | None = None
    detail: str | None = None


def _new_task(spec: TaskSpec, school_id: int, calendar=None) -> Task:
    kind = TaskKind(spec.kind)
    rules = rules_for(kind)
    assigned_role = spec.assigned_role
    if assigned_role is None and spec.assigned_user_id is None:
        assigned_role = rules.role
    remind_at = reminder_time(rules, spec.due_at, clock.now())
    if rules.policy_dates is not None:
        if calendar is None:
            # deferred: import cycle (app.services.calendar imports app.services.tasks at load)
            from app.services.calendar import calendar_for_school

            calendar = calendar_for_school(school_id)
        times = policy_times(rules, spec.due_at, clock.now(), calendar)
        remind_at = times[0] if times is not None else None
    subject, link = spec.subject, spec.link
    return Task(
        school_id=school_id,  # said explicitly: the row belongs to the scope's school
        kind=kind.value, title=spec.title, detail=spec.detail, dedupe_key=spec.dedupe_key, due_at=spec.due_at,
        remind_at=remind_at,
        urgent=rules.urgent if spec.urgent is None else spec.urgent,
        assigned_role=assigned_role, assigned_user_id=spec.assigned_user_id,
        subject_type=subject[0] if subject else None, subject_id=subject[1] if subject else None,
        link_endpoint=link[0] if link else None, link_args=dict(link[1]) if link else None,
    )


def ensure_tasks(specs: Sequence[TaskSpec], calendar=None) -> list[tuple[Task, bool]]:
    """`ensure_task` for many tasks at once, for a sweep making hundreds: the existing keys are read in one
    query, the new tasks inserted in one flush (inside one SAVEPOINT), and the keys of their emails looked up in
    one query, instead of several round trips per task. Returns (task, created) per spec, in order. If another
    session made one of them meanwhile (the unique key), it falls back to `ensure_task` one by one."""
    school_id = require_school_id()
    found: dict[str, Task] = {}
    keys = sorted({spec.dedupe_key for spec in specs})
    for start in range(0, len(keys), 500):
        found.update((t.dedupe_key, t) for t in db.session.scalars(select(Task).where(
            Task.school_id == school_id, Task.dedupe_key.in_(keys[start:start + 500]))))
    results, new = [], []
    for spec in specs:
        task = found.get(spec.dedupe_key)
        if task is None:
            task = found[spec.dedupe_key] = _new_task(spec, school_id, calendar)
            new.append(task)
            results.append((task, True))
        else:
            results.append((task, False))
    if not new:
        return results
    try:
        with db.session.begin_nested():
            db.session.add_all(new)
    except IntegrityError:
        return [ensure_task(s.kind, s.dedupe_key, s.title, s.due_at, s.assigned_role, s.assigned_user_id,
                            s.subject, s.link, s.urgent, s.detail, calendar) for s in specs]
    prefetch_notification_keys(_event_key(t.id, "assigned", u.id) for t in new for u in assignees(t))
    for task in new:
        _email_assignees(task, "task_assigned", "assigned")
    return results


def _task_by_key(dedupe_key: str) -> Task | None:
    return db.session.scalar(select(Task).where(Task.dedupe_key == dedupe_key))


def complete_tasks_for(subject_type: str, subject_id: int, kinds: Iterable[TaskKind], user: User | None) -> int:
    """Acting on the thing completes the task: close the open tasks of these kinds about this subject in the
    current school. Services call it in the same transaction as the action; `user` is who acted (None for a
    sweep that found the need met). Returns how many were closed."""
    tasks = db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.status == TaskStatus.OPEN,
        Task.subject_type == subject_type, Task.subject_id == subject_id,
        Task.kind.in_([TaskKind(k).value for k in kinds]),
    )).all()
    for task in tasks:
        _complete(task, user)
    return len(tasks)


def _complete(task: Task, user: User | None) -> None:
    task.status = TaskStatus.DONE
    task.completed_by_id = user.id if user is not None else None
    task.completed_at = clock.now()


def complete_task(task: Task, user: User | None) -> None:
    """Close this one task (a review meets one of several open review obligations of its placement)."""
    _complete(task, user)


def mark_done(user: User, school: School, task_id: int) -> Task:
    """"Mark done" in the inbox, for kinds that nothing elsewhere completes. Commits."""
    task = access_open_task(user, school, task_id)
    if not rules_for(task.kind).done_in_inbox:
        raise TaskNotDoneHere(f"{task.title}: this is completed where it is acted on")
    if not still(Task, task.id, Task.status == TaskStatus.OPEN):
        db.session.rollback()  # a double click, or someone else: done once, by whoever was first
        return task
    _complete(task, user)
    hook = COMPLETION_HOOKS.get(TaskKind(task.kind))
    if hook is not None:
        hook(task, user)
    db.session.commit()
    return task


# --- who sees a task ----------------------------------------------------------------------------------------


def _roles_in(user: User, school_id: int) -> list[SchoolRoleName]:
    return list(db.session.scalars(select(SchoolRole.role).where(
        SchoolRole.user_id == user.id, SchoolRole.school_id == school_id)))


def _visible_to(user: User, roles: Sequence[SchoolRoleName]):
    """A task is the user's when it names them, when it names a role they hold (and no person), or when it has
    escalated to a school role they hold."""
    clauses = [Task.assigned_user_id == user.id]
    if roles:
        clauses.append(and_(Task.assigned_user_id.is_(None), Task.assigned_role.in_(list(roles))))
    for kind, rules in TASK_KINDS.items():
        for level, step in enumerate(rules.escalation, start=1):
            if step.to in roles:
                clauses.append(and_(Task.kind == kind.value, Task.escalation_level >= level))
    return or_(*clauses) if clauses else false()


def _open_tasks_query(user: User, school_id: int):
    return select(Task).where(
        Task.school_id == school_id, Task.status == TaskStatus.OPEN,
        _visible_to(user, _roles_in(user, school_id)),
    )


def open_tasks_for(user: User, school: School) -> list[Task]:
    """The user's open tasks in this school (inside its scope): urgent first, then the soonest due."""
    return list(db.session.scalars(
        _open_tasks_query(user, school.id).order_by(Task.urgent.desc(), Task.due_at, Task.id)))


def access_open_task(user: User, school: School, task_id: int) -> Task:
    task = db.session.scalar(_open_tasks_query(user, school.id).where(Task.id == task_id))
    if task is None:
        raise TaskNotFound(task_id)
    return task


def open_task_counts(user: User, school_ids: Iterable[int]) -> dict[int, int]:
    """How many open tasks the user has in each school: one count per school, each in that school's scope."""
    counts = {}
    for school_id in school_ids:
        with school_scope(school_id):
            query = _open_tasks_query(user, school_id).with_only_columns(func.count(Task.id)).order_by(None)
            counts[school_id] = db.session.scalar(query) or 0
    return counts


@dataclass(frozen=True)
class InboxItem:
    task: Task
    kind_label: str
    overdue: bool
    link: str | None
    can_mark_done: bool


def inbox_for(user: User, school: School) -> list[InboxItem]:
    now = clock.now()
    items = []
    for task in open_tasks_for(user, school):
        rules = rules_for(task.kind)
        items.append(InboxItem(task=task, kind_label=rules.label, overdue=task.due_at <= now,
                               link=task_link(task, school.slug), can_mark_done=rules.done_in_inbox))
    return items
