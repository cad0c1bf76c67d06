"""API: the token holder's own open tasks across their schools (issue 17 item 1): the list (by id, paged with
`?limit=` and `?cursor=` as every list), one task, and "Mark done" where the kind allows it. The same service and rules as each school's
inbox page (app.services.my_tasks over app.services.tasks); a school whose inbox they may not open is left out,
and someone else's task is a 404. Each route declares its contract (app.api.contract).
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import ValidationError, fields

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.paging import keyset_page
from app.api.routes import bp
from app.services import my_tasks as service
from app.services.tasks import TaskNotDoneHere, TaskNotFound


class TaskSchema(Schema):
    id = fields.Integer(attribute="task.id")
    school_slug = fields.String(attribute="school.slug")
    kind = fields.String(attribute="task.kind")
    kind_label = fields.String()
    title = fields.String(attribute="task.title")
    detail = fields.String(attribute="task.detail", allow_none=True)
    status = fields.String(attribute="task.status.value", metadata={"description": "open | done | cancelled"})
    urgent = fields.Boolean(attribute="task.urgent")
    due_at = fields.DateTime(attribute="task.due_at")
    overdue = fields.Boolean()
    subject_type = fields.String(attribute="task.subject_type", allow_none=True)
    subject_id = fields.Integer(attribute="task.subject_id", allow_none=True)
    link = fields.String(allow_none=True, metadata={"description": "The page where it is acted on"})
    can_mark_done = fields.Boolean(metadata={"description": "false: done by acting on its subject, not here"})
    completed_at = fields.DateTime(attribute="task.completed_at", allow_none=True)


class TasksQuerySchema(Schema):
    """GET /me/tasks?school=alder (and the pager's limit and cursor)"""

    school = fields.String(load_default=None, metadata={"description": "Only this school (its slug)"})


def _task(task_id: int) -> service.MyTask:
    try:
        return service.access_my_task(g.api_user, task_id)
    except TaskNotFound:
        raise ApiError(404, "No such open task of yours.") from None


@bp.get("/me/tasks")
@api_route(response=TaskSchema, many=True, query=TasksQuerySchema)
def my_tasks():
    """The holder's open tasks in every school whose inbox they may open, by id."""
    school = parse_query()["school"]
    return keyset_page(lambda after, limit: service.my_open_tasks(g.api_user, after or 0, limit, school),
                       TaskSchema(many=True), key=lambda item: item.task.id)


@bp.get("/me/tasks/<int:task_id>")
@api_route(response=TaskSchema)
def my_task(task_id: int):
    """One of the holder's open tasks."""
    return jsonify(TaskSchema().dump(_task(task_id)))


@bp.post("/me/tasks/<int:task_id>/done")
@api_route(response=TaskSchema, errors=(400,))
def mark_my_task_done(task_id: int):
    """"Mark done", where the kind allows it (field `task` says why not); done twice is done once."""
    try:
        done = service.mark_my_task_done(g.api_user, task_id)
    except TaskNotFound:
        raise ApiError(404, "No such open task of yours.") from None
    except TaskNotDoneHere as refused:
        raise ValidationError({"task": [str(refused)]}) from None
    return jsonify(TaskSchema().dump(done))

