"""Who is told about a task, and when: the links in emails, the holders of a role, the email when a task is
made, its one reminder and each escalation level (the dedupe key (task, event, person) means never twice), and
the reminder sweep's work for one school.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from app import clock
from app.extensions import db
from app.models import School, SchoolRole, TrustRole, User
from app.models.notifications import Audience
from app.models.tasks import Task, TaskStatus
from app.policy.task_kinds import (
    TASK_KINDS,
    Escalation,
    KindRules,
    escalation_due_at,
    policy_times,
    reminder_due,
    rules_for,
)
from app.roles import SchoolRoleName, TrustRoleName
from app.services.notifications import existing_notification, prefetch_notification_keys, queue_notification
from tenants import require_school_id

log = logging.getLogger(__name__)


def _escalation_time(rules: KindRules, task: Task, calendar) -> datetime:
    """When the task's next escalation level falls due: the policy's day, else the kind's fixed offset."""
    times = policy_times(rules, task.due_at, task.created_at, calendar)
    if times is not None and task.escalation_level < len(times[1]):
        return times[1][task.escalation_level]
    return escalation_due_at(rules.escalation[task.escalation_level], task.due_at, calendar.nth_school_day_after)


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


# The public name, for services outside the task machinery that put a link in an email.
external_url = _external_url


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
