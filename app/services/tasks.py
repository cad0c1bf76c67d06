"""Tasks: work for a person, about a pupil, placement, provider or the school, due by a time.

Each kind of task declares, in one table (`TASK_KINDS`), who does it by default, whether it is urgent, when to
remind before it is due and whom to tell, level by level, once it is overdue. Sweeps and later capabilities
make tasks with `ensure_task` (idempotent on the school and a dedupe key) and close them with
`complete_tasks_for` when the person acts on the thing the task is about ("acting on the thing completes the
task"). People see their open tasks in the inbox (`inbox_for`).

Everything here runs inside a school's tenant scope; callers commit.
"""
from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, event, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from app import clock
from app.extensions import db
from app.models import School, SchoolRole, TrustRole, User
from app.models.tasks import Task, TaskStatus
from app.roles import SchoolRoleName, TrustRoleName
from tenants import require_school_id, school_scope

log = logging.getLogger(__name__)

# A task due "on" a day is due by the end of that school day.
END_OF_SCHOOL_DAY = time(17, 0)
# A reminder or escalation "on" a school day (a policy rule's date) goes from the first reminder sweep of that day.
START_OF_SCHOOL_DAY = time(7, 0)


class TaskKind(enum.StrEnum):
    CALENDAR_NEEDED = "calendar_needed"  # enter next half-term's dates (one calendar, design invariant 6)
    ATTENDANCE_UNCONFIRMED = "attendance_unconfirmed"  # 4.5
    WELFARE_CHECK = "welfare_check"  # 4.4, 4.5: children missing education
    HALF_TERMLY_REVIEW = "half_termly_review"  # 8.3
    PROVIDER_CHECK_EXPIRING = "provider_check_expiring"  # 7.9
    FOLLOW_UP_ACTION = "follow_up_action"  # 8.6: an action agreed at a QA visit, owned by a person
    PROVIDER_SUSPENDED = "provider_suspended"  # review the placements at a suspended provider; lifting completes it
    PROVIDER_CONCERN = "provider_concern"  # follow up a concern about a provider; resolving it completes it
    QA_VISIT_DUE = "qa_visit_due"  # 8.1, 8.3: visit a provider at the frequency set when commissioning
    PART_TIME_REVIEW = "part_time_review"  # 9.6: review a part-time timetable on its agreed date
    PART_TIME_SIX_WEEKS = "part_time_six_weeks"  # issue 15: a part-time timetable running past six weeks


@dataclass(frozen=True)
class Escalation:
    """Once a task is this far overdue, tell this role (and, for a school role, show it the task)."""

    to: SchoolRoleName | TrustRoleName
    after: timedelta = timedelta(0)
    school_days: int = 0  # counted on the school's calendar from the due date, before `after` is added


@dataclass(frozen=True)
class KindRules:
    label: str
    role: SchoolRoleName  # who does it when the caller names nobody
    urgent: bool = False
    remind_before: timedelta | None = None  # one reminder email this long before it is due
    escalation: tuple[Escalation, ...] = ()
    # True when nothing elsewhere in AP Hub completes it: the inbox offers "Mark done".
    done_in_inbox: bool = False
    policy: str = ""
    # When a policy rule gives the reminder and escalation days (school days that are not fixed offsets):
    # (due day, creation day, the school's calendar) -> (reminder day or None, one day per escalation level).
    # `escalation` still names who is told at each level; its offsets stand in where the calendar runs out.
    policy_dates: Callable | None = None


def _review_dates(due_on: date, created_on: date, calendar) -> tuple[date | None, tuple[date, ...]]:
    from app.policy.reviews import review_reminder_and_escalation

    dates = review_reminder_and_escalation(due_on, calendar, created_on)
    return dates.remind_on, tuple(step.on for step in dates.escalations)


R, T = SchoolRoleName, TrustRoleName

TASK_KINDS: dict[TaskKind, KindRules] = {
    TaskKind.CALENDAR_NEEDED: KindRules(
        "Enter the school's term dates", R.AP_LEADER, remind_before=timedelta(days=3),
        escalation=(Escalation(R.HEADTEACHER), Escalation(T.DESIGNATED_TRUSTEE, school_days=5)),
        policy="design invariant 6: one calendar"),
    TaskKind.ATTENDANCE_UNCONFIRMED: KindRules(
        "Confirm today's attendance with the provider", R.ATTENDANCE_OFFICER, urgent=True,
        # No escalation of its own: an hour past the cut-off the welfare rule gives the DSL a WELFARE_CHECK task
        # for the same session, which escalates to the headteacher and the trust safeguarding lead. Escalating
        # this prompt to the DSL as well would tell them twice about one session.
        escalation=(), policy="4.5"),
    TaskKind.WELFARE_CHECK: KindRules(
        "Make a welfare check", R.DSL, urgent=True,
        escalation=(Escalation(R.HEADTEACHER, after=timedelta(hours=1)),
                    Escalation(T.TRUST_SAFEGUARDING_LEAD, after=timedelta(hours=3))),
        policy="4.4, 4.5"),
    TaskKind.HALF_TERMLY_REVIEW: KindRules(
        "Hold the half-termly review with the pupil and parents", R.AP_LEADER,
        escalation=(Escalation(R.HEADTEACHER, school_days=1), Escalation(T.TRUST_SAFEGUARDING_LEAD, school_days=5)),
        policy="8.3", policy_dates=_review_dates),
    TaskKind.PROVIDER_CHECK_EXPIRING: KindRules(
        "Renew the provider's pre-placement checks", R.AP_LEADER, remind_before=timedelta(days=14),
        escalation=(Escalation(R.HEADTEACHER),), policy="7.9"),
    TaskKind.FOLLOW_UP_ACTION: KindRules(
        "Complete the agreed follow-up action", R.AP_LEADER, remind_before=timedelta(days=2),
        escalation=(Escalation(R.HEADTEACHER),), done_in_inbox=True, policy="8.6"),
    TaskKind.PROVIDER_SUSPENDED: KindRules(
        "Review the placements at a suspended provider", R.AP_LEADER, urgent=True,
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="7.8, 7.9: a suspended provider"),
    TaskKind.PROVIDER_CONCERN: KindRules(
        "Follow up a concern about a provider", R.DSL,
        escalation=(Escalation(R.HEADTEACHER),), policy="7.8: concerns about a provider"),
    TaskKind.QA_VISIT_DUE: KindRules(
        "Make the quality-assurance visit to the provider", R.AP_LEADER, remind_before=timedelta(days=5),
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="8.1, 8.3"),
    TaskKind.PART_TIME_REVIEW: KindRules(
        "Review the part-time timetable with the pupil and parents", R.AP_LEADER, remind_before=timedelta(days=2),
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="9.6"),
    TaskKind.PART_TIME_SIX_WEEKS: KindRules(
        "A part-time timetable runs past six weeks: consider the return to full time", R.HEADTEACHER,
        done_in_inbox=True, policy="9.6"),
}

# The longest reminder lead: the reminder sweep looks no further ahead than this.
LONGEST_REMINDER_LEAD = max((r.remind_before for r in TASK_KINDS.values() if r.remind_before), default=timedelta(0))


def rules_for(kind: TaskKind | str) -> KindRules:
    return TASK_KINDS[TaskKind(kind)]


class TaskNotFound(LookupError):
    """No such open task for this person in this school (shown as a 404)."""


class TaskNotDoneHere(ValueError):
    """This kind of task is completed by acting on its subject, not by ticking it off."""


# --- rules of timing (plain functions: given facts, they answer) -------------------------------------------


def reminder_due(rules: KindRules, due_at: datetime, created_at: datetime, now: datetime) -> bool:
    """One reminder at the kind's lead time before the task is due. A task made inside that lead time has just
    been announced by its own email, so it gets no reminder as well."""
    if rules.remind_before is None or now >= due_at:
        return False
    remind_at = due_at - rules.remind_before
    return created_at < remind_at <= now


def reminder_time(rules: KindRules, due_at: datetime, created_at: datetime) -> datetime | None:
    """When the one reminder falls due, or None when there is none (no lead time for the kind, or the task
    was made inside it: its own email has just announced it)."""
    if rules.remind_before is None:
        return None
    remind_at = due_at - rules.remind_before
    return remind_at if created_at < remind_at else None


def escalation_due_at(step: Escalation, due_at: datetime, nth_school_day_after=None) -> datetime:
    """When a task due at `due_at` reaches this escalation step. School days are counted on the school's own
    calendar (a task due before half-term is not "5 school days overdue" during the holiday)."""
    at = due_at
    if step.school_days:
        local_due = clock.to_local(due_at)
        day = _school_days_after(local_due.date(), step.school_days, nth_school_day_after)
        at = clock.local_datetime(day, local_due.time())
    return at + step.after


def policy_times(rules: KindRules, due_at: datetime, created_at: datetime,
                 calendar) -> tuple[datetime | None, tuple[datetime, ...]] | None:
    """For a kind with `policy_dates`: when its one reminder goes and when each escalation level falls due, from
    the start of the policy's school days. None for other kinds, or when the school's calendar does not reach
    the dates (the kind's fixed offsets then stand in)."""
    if rules.policy_dates is None or calendar is None:
        return None
    try:
        remind_on, levels = rules.policy_dates(clock.to_local(due_at).date(), clock.to_local(created_at).date(),
                                               calendar)
    except LookupError:  # CalendarNotEntered
        return None
    remind_at = clock.local_datetime(remind_on, START_OF_SCHOOL_DAY) if remind_on else None
    return remind_at, tuple(clock.local_datetime(day, START_OF_SCHOOL_DAY) for day in levels)


def _escalation_time(rules: KindRules, task: Task, calendar) -> datetime:
    """When the task's next escalation level falls due: the policy's day, else the kind's fixed offset."""
    times = policy_times(rules, task.due_at, task.created_at, calendar)
    if times is not None and task.escalation_level < len(times[1]):
        return times[1][task.escalation_level]
    return escalation_due_at(rules.escalation[task.escalation_level], task.due_at, calendar.nth_school_day_after)


def next_escalation(rules: KindRules, level: int, due_at: datetime, now: datetime,
                    nth_school_day_after=None) -> Escalation | None:
    """The next step of the kind's chain if it is due now; one level at a time, never the same level twice."""
    if level >= len(rules.escalation):
        return None
    step = rules.escalation[level]
    return step if now >= escalation_due_at(step, due_at, nth_school_day_after) else None


def _school_days_after(day: date, n: int, nth_school_day_after) -> date:
    if nth_school_day_after is not None:
        try:
            return nth_school_day_after(day, n)
        except LookupError:  # the school's calendar does not reach that far: count weekdays instead
            pass
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


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
    from app.services.notifications import prefetch_notification_keys

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
    _complete(task, user)
    if task.subject_type == "follow_up_action":  # 8.6: ticked off in the inbox, the action itself is done
        from app.services.qa import follow_up_done_in_inbox

        follow_up_done_in_inbox(task.subject_id, user)
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


# --- links --------------------------------------------------------------------------------------------------


def task_link(task: Task, school_slug: str | None = None, external: bool = False) -> str | None:
    """Where the task is acted on, under its school's URL. In a request a path on this site; with `external`
    (emails, jobs) an absolute URL under BASE_URL. None when the task has no page (or its page is not part of
    this version)."""
    if not task.link_endpoint:
        return None
    slug = school_slug or db.session.get(School, task.school_id).slug
    values = {**(task.link_args or {}), "school_slug": slug}
    try:
        if has_request_context() and not external:
            return url_for(task.link_endpoint, **values)
        return _external_url(task.link_endpoint, values)
    except BuildError:
        log.warning("task %s links to %s, which this app does not have", task.id, task.link_endpoint)
        return None


def _external_url(endpoint: str, values: dict) -> str:
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def inbox_url(school_slug: str) -> str:
    return _external_url("inbox.index", {"school_slug": school_slug})


# --- who is told, and how ------------------------------------------------------------------------------------


def school_role_holders(school_id: int, role: SchoolRoleName) -> list[User]:
    """Who holds a role in a school. Remembered for the length of the transaction: a sweep asks it once per
    task, for a handful of (school, role) pairs."""
    cache = db.session.info.setdefault("aphub_role_holders", {})
    key = ("school", school_id, role)
    if key not in cache:
        cache[key] = _school_role_holders(school_id, role)
    return cache[key]


@event.listens_for(Session, "after_transaction_end")
def _forget_role_holders(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("aphub_role_holders", None)


def _school_role_holders(school_id: int, role: SchoolRoleName) -> list[User]:
    return list(db.session.scalars(
        select(User).join(SchoolRole, SchoolRole.user_id == User.id)
        .where(SchoolRole.school_id == school_id, SchoolRole.role == role,
               User.is_enabled.is_(True), User.archived_at.is_(None))
        .order_by(User.id)))


def trust_role_holders(role: TrustRoleName) -> list[User]:
    cache = db.session.info.setdefault("aphub_role_holders", {})
    key = ("trust", None, role)
    if key not in cache:
        cache[key] = _trust_role_holders(role)
    return cache[key]


def _trust_role_holders(role: TrustRoleName) -> list[User]:
    return list(db.session.scalars(
        select(User).join(TrustRole, TrustRole.user_id == User.id)
        .where(TrustRole.role == role, User.is_enabled.is_(True), User.archived_at.is_(None))
        .order_by(User.id)))


def assignees(task: Task) -> list[User]:
    """The people a task is for now: the person it names, else every holder of its role in the school."""
    if task.assigned_user_id is not None:
        user = db.session.get(User, task.assigned_user_id)
        return [user] if user is not None and user.is_active else []
    if task.assigned_role is None:
        return []
    return school_role_holders(task.school_id, task.assigned_role)


def holders_of(role: SchoolRoleName | TrustRoleName, school_id: int) -> list[User]:
    if isinstance(role, TrustRoleName):
        return trust_role_holders(role)
    return school_role_holders(school_id, role)


def _school(school_id: int) -> School:
    """Held for the transaction (the identity map keeps clean objects only weakly, so a sweep would otherwise
    load the school again for every email)."""
    cache = db.session.info.setdefault("aphub_role_holders", {})
    key = ("school-record", school_id, None)
    if key not in cache:
        cache[key] = db.session.get(School, school_id)
    return cache[key]


def _email_context(task: Task, recipient: User, **extra) -> dict:
    school = _school(task.school_id)
    rules = rules_for(task.kind)
    return {
        "recipient_name": recipient.full_name,
        "school_name": school.name,
        "title": task.title,
        "detail": task.detail or "",
        "kind_label": rules.label,
        "due": clock.to_local(task.due_at).strftime("%a %-d %b %Y, %H:%M"),
        "urgent": bool(task.urgent),
        "link": task_link(task, school.slug, external=True) or "",
        "inbox_link": inbox_url(school.slug),
        **extra,
    }


def _event_key(task_id: int, event: str, user_id: int) -> str:
    """The dedupe key of one email about a task: (task, event, person) is told once."""
    return f"task:{task_id}:{event}:{user_id}"


def _email_assignees(task: Task, template: str, event: str) -> int:
    """Queue one email per assignee; the dedupe key (task, event, person) means never twice."""
    if task.id is None:
        db.session.flush()  # a new task: its id goes into the keys
    sent = 0
    for user in assignees(task):
        sent += _email(task, user, template, _event_key(task.id, event, user.id), urgent=task.urgent)
    return sent


def _email(task: Task, user: User, template: str, dedupe_key: str, urgent: bool, **extra) -> int:
    from app.models.notifications import Audience
    from app.services.notifications import existing_notification, queue_notification

    if existing_notification(dedupe_key) is not None:
        return 0
    is_staff_here = any(sr.school_id == task.school_id for sr in user.school_roles)
    queue_notification(
        dedupe_key=dedupe_key, audience=Audience.STAFF if is_staff_here else Audience.TRUST,
        recipient_email=user.email, recipient_name=user.full_name, recipient_user=user,
        template=template, context=_email_context(task, user, **extra), urgent=urgent,
        about_type="task", about_id=task.id, about_label=task.title[:200], school_id=task.school_id,
    )
    return 1


def send_reminder(task: Task) -> int:
    """The one reminder before a task is due, to each assignee."""
    return _email_assignees(task, "task_reminder", "reminder")


def escalate(task: Task, step: Escalation) -> int:
    """Raise the task one level and tell the holders of the step's role. The level and the dedupe keys (task,
    level, person) make sure no level is announced twice."""
    task.escalation_level += 1
    level = task.escalation_level
    assigned_to = task.assigned_user.full_name if task.assigned_user_id else (
        task.assigned_role.label if task.assigned_role else "")
    sent = 0
    for user in holders_of(step.to, task.school_id):
        sent += _email(task, user, "task_escalated", _event_key(task.id, f"escalated:{level}", user.id),
                       urgent=True, level=level, assigned_to=assigned_to, escalated_to=step.to.label)
    return sent


# --- the sweeps' work for one school (jobs.sweeps calls these inside the school's scope) -----------------------

# The calendar must reach this far ahead: reviews, reminders and attendance count school days from it.
CALENDAR_HORIZON = timedelta(days=30)
CALENDAR_TASK_SCHOOL_DAYS = 10


@dataclass(frozen=True)
class CalendarNeed:
    """What the AP leader is asked to enter; the key names the missing academic year or half-term."""

    dedupe_key: str
    title: str


def calendar_need(calendar, today: date) -> CalendarNeed | None:
    """Does the school's calendar reach 30 days ahead? If not, name what to enter next: the whole school year
    when none (or none of the next year) is entered, else the half-term after the last one entered."""
    from app.school_calendar import TERMS, academic_year_label, academic_year_of

    last_day = calendar.last_entered_day
    if last_day is not None and last_day >= today + CALENDAR_HORIZON:
        return None
    if not calendar.half_terms:
        year, term, part = academic_year_of(today), 0, 1
    else:
        year, term, part = max(h.sequence for h in calendar.half_terms)
        if part == 1:
            part = 2
        elif term + 1 < len(TERMS):
            term, part = term + 1, 1
        else:
            year, term, part = year + 1, 0, 1
    label = academic_year_label(year)
    if (term, part) == (0, 1):
        return CalendarNeed(f"calendar-needed:{label}", f"Enter the {label} term dates")
    name = f"{TERMS[term].title()} {part}"
    return CalendarNeed(f"calendar-needed:{label}:{TERMS[term]}-{part}", f"Enter the dates of {name} {label}")


def check_calendar_readiness(calendar, today: date) -> tuple[Task | None, bool]:
    """The calendar readiness sweep for the current school: settle the calendar tasks whose dates are now
    entered, and ask for what is still missing (one task per missing year or half-term, due in 10 school
    days). Returns (the open task or None, whether it was made now)."""
    school_id = require_school_id()
    need = calendar_need(calendar, today)
    settle_calendar_tasks(None, calendar, today)
    if need is None:
        return None, False
    due_day = _school_days_after(today, CALENDAR_TASK_SCHOOL_DAYS, calendar.nth_school_day_after)
    last_day = calendar.last_entered_day
    detail = (f"The school calendar has dates up to {last_day:%A %-d %B %Y}. " if last_day
              else "The school calendar has no term dates yet. ")
    detail += ("AP Hub counts school days from it for attendance, welfare checks, reviews and reminders: "
               "enter the next dates before it runs out.")
    return ensure_task(TaskKind.CALENDAR_NEEDED, need.dedupe_key, need.title,
                       clock.local_datetime(due_day, END_OF_SCHOOL_DAY), subject=("school", school_id),
                       link=("calendar.new_half_term", {}), detail=detail)


def settle_calendar_tasks(user: User | None, calendar=None, today: date | None = None) -> int:
    """Acting on the calendar completes its tasks: close the current school's open calendar tasks whose dates
    are now entered (a task asked for something other than what is still missing). The calendar service calls
    this after saving dates, with the person who entered them; the sweep calls it with nobody."""
    if calendar is None:
        from app.services.calendar import calendar_for_school

        calendar = calendar_for_school()
    need = calendar_need(calendar, today or clock.today())
    met = db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.kind == TaskKind.CALENDAR_NEEDED.value,
        Task.status == TaskStatus.OPEN,
        *([Task.dedupe_key != need.dedupe_key] if need else []),
    )).all()
    for task in met:
        _complete(task, user)
    return len(met)


def remind_and_escalate(calendar, now: datetime) -> tuple[int, int]:
    """The reminder sweep for the current school: the one reminder at each kind's lead time before a task is
    due, and one escalation level for each overdue task whose next level is due. It reads only open tasks whose
    reminder time has come, and overdue ones whose next level is due or not yet worked out (indexed), so its
    work grows with what is due, not with history. Returns (reminders, escalations) sent."""
    school_id = require_school_id()
    reminded = escalated = 0
    soon = db.session.scalars(select(Task).where(
        Task.school_id == school_id, Task.status == TaskStatus.OPEN, Task.remind_at <= now,
    ).order_by(Task.due_at, Task.id)).all()
    still_escalating = [and_(Task.kind == kind.value, Task.escalation_level < len(rules.escalation))
                        for kind, rules in TASK_KINDS.items() if rules.escalation]
    overdue = db.session.scalars(select(Task).where(
        Task.school_id == school_id, Task.status == TaskStatus.OPEN, Task.due_at <= now, or_(*still_escalating),
        or_(Task.next_escalation_at.is_(None), Task.next_escalation_at <= now),
    ).order_by(Task.due_at, Task.id)).all()
    _prefetch_email_keys(soon, overdue)
    for task in soon:
        task.remind_at = None  # one reminder, whatever happens next
        rules = rules_for(task.kind)
        # A policy_dates kind's remind_at is the policy's reminder time, set when the task was made.
        if reminder_due(rules, task.due_at, task.created_at, now) or (rules.policy_dates and now < task.due_at):
            reminded += send_reminder(task)
    for task in overdue:
        rules = rules_for(task.kind)
        step = (rules.escalation[task.escalation_level]
                if now >= _escalation_time(rules, task, calendar) else None)
        if step is not None:
            escalate(task, step)
            escalated += 1
        task.next_escalation_at = _next_escalation_time(rules, task, calendar)
    return reminded, escalated


def _prefetch_email_keys(soon: Sequence[Task], overdue: Sequence[Task]) -> None:
    """Look up in one query whether the emails this sweep may send went already, instead of one query each."""
    from app.services.notifications import prefetch_notification_keys

    keys = [_event_key(task.id, "reminder", user.id) for task in soon for user in assignees(task)]
    for task in overdue:
        rules = rules_for(task.kind)
        if task.escalation_level < len(rules.escalation):
            step = rules.escalation[task.escalation_level]
            keys += [_event_key(task.id, f"escalated:{task.escalation_level + 1}", user.id)
                     for user in holders_of(step.to, task.school_id)]
    prefetch_notification_keys(keys)


def _next_escalation_time(rules: KindRules, task: Task, calendar) -> datetime | None:
    if task.escalation_level >= len(rules.escalation):
        return None  # the end of the chain: the query's level condition leaves the task alone from now on
    return _escalation_time(rules, task, calendar)
