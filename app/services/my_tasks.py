"""A person's open tasks across the schools where they hold a role, for the API (issue 17 item 1): the inbox of
each school (app.services.tasks: `open_tasks_for`, `access_open_task`, `mark_done`), read one school at a time
in that school's own scope. A school where none of their roles grants the inbox's permission is left out, as
its inbox page would refuse them; another person's task, or another school's, is not found.
"""
from __future__ import annotations

from dataclasses import dataclass

from app import clock
from app.models import School, Task, User
from app.permissions import Permission, permissions_for_school_roles, user_school_roles
from app.services import tasks as service
from app.services.schools import schools_for_user
from tenants import school_scope


@dataclass(frozen=True)
class MyTask:
    """A task with what the inbox shows beside it."""

    task: Task
    school: School
    kind_label: str
    overdue: bool
    link: str | None
    can_mark_done: bool


def inbox_schools(user: User) -> list[School]:
    """The schools whose inbox the person may open (the inbox page's permission), by name."""
    return [school for school in schools_for_user(user)
            if Permission.TASKS_VIEW in permissions_for_school_roles(user_school_roles(user, school.id))]


def _item(task: Task, school: School) -> MyTask:
    rules = service.rules_for(task.kind)
    return MyTask(task=task, school=school, kind_label=rules.label, overdue=task.due_at <= clock.now(),
                  link=service.task_link(task, school.slug, external=True), can_mark_done=rules.done_in_inbox)


def my_open_tasks(user: User, after_id: int = 0, limit: int = 50, school_slug: str | None = None) -> list[MyTask]:
    """The person's open tasks with an id above `after_id`, by id (a stable order to page through: a task done
    meanwhile drops out without moving the others), at most `limit`; in one school when `school_slug` is given."""
    found: list[MyTask] = []
    for school in inbox_schools(user):
        if school_slug is not None and school.slug != school_slug:
            continue
        with school_scope(school.id):
            found += [_item(task, school) for task in service.open_tasks_for(user, school) if task.id > after_id]
    return sorted(found, key=lambda item: item.task.id)[:limit]


def access_my_task(user: User, task_id: int) -> MyTask:
    """One of the person's open tasks, in whichever of their schools it is; `TaskNotFound` otherwise."""
    for school in inbox_schools(user):
        with school_scope(school.id):
            try:
                return _item(service.access_open_task(user, school, task_id), school)
            except service.TaskNotFound:
                continue
    raise service.TaskNotFound(task_id)


def mark_my_task_done(user: User, task_id: int) -> MyTask:
    """"Mark done", as in the inbox, for kinds nothing elsewhere completes (`TaskNotDoneHere` for the others);
    done once whoever clicks twice. Commits."""
    school = access_my_task(user, task_id).school
    with school_scope(school.id):
        task = service.mark_done(user, school, task_id)
        return _item(task, school)
