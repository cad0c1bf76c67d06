"""API: the token holder's own open tasks across their schools (issue 17 item 1): the list (by id, paged with
`after_id`), one task, and "Mark done" where the kind allows it. The same service and rules as each school's
inbox page (app.services.my_tasks over app.services.tasks); a school whose inbox they may not open is left out,
and someone else's task is a 404. Schemas live here, beside the resource; app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import ValidationError, fields, validate

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.services import my_tasks as service
from app.services.tasks import TaskNotDoneHere, TaskNotFound

PAGE_MAX = 200


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
    """GET /me/tasks?after_id=120&limit=50&school=alder"""

    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0),
                              metadata={"description": "The last id of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_MAX))
    school = fields.String(load_default=None, metadata={"description": "Only this school (its slug)"})


class TasksPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    next_after_id = fields.Integer(allow_none=True, metadata={"description": "null: this is the last page"})


def _task(task_id: int) -> service.MyTask:
    try:
        return service.access_my_task(g.api_user, task_id)
    except TaskNotFound:
        raise ApiError(404, "No such open task of yours.") from None


@bp.get("/me/tasks")
@api_route
def my_tasks():
    """The holder's open tasks in every school whose inbox they may open, by id."""
    query = parse_query(TasksQuerySchema())
    items = service.my_open_tasks(g.api_user, query["after_id"], query["limit"] + 1, query["school"])
    page = items[:query["limit"]]
    more = len(items) > query["limit"]
    return jsonify(TasksPageSchema().dump({"items": page, "next_after_id": page[-1].task.id if more else None}))


@bp.get("/me/tasks/<int:task_id>")
@api_route
def my_task(task_id: int):
    return jsonify(TaskSchema().dump(_task(task_id)))


@bp.post("/me/tasks/<int:task_id>/done")
@api_route
def mark_my_task_done(task_id: int):
    """"Mark done", where the kind allows it (field `task` says why not); done twice is done once."""
    try:
        done = service.mark_my_task_done(g.api_user, task_id)
    except TaskNotFound:
        raise ApiError(404, "No such open task of yours.") from None
    except TaskNotDoneHere as refused:
        raise ValidationError({"task": [str(refused)]}) from None
    return jsonify(TaskSchema().dump(done))


def openapi_paths(spec, ok, error) -> None:
    """The task resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("Task", schema=TaskSchema)
    spec.components.schema("TasksPage", schema=TasksPageSchema)
    secured = [{"bearer": []}]
    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    errors = {"401": error, "404": error}
    spec.path("/api/v1/me/tasks", operations={"get": {
        "summary": "Your open tasks in every school whose inbox you may open, by id", "security": secured,
        "parameters": [{"name": "after_id", "in": "query", "required": False, "schema": {"type": "integer"}},
                       {"name": "limit", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}},
                       {"name": "school", "in": "query", "required": False, "schema": {"type": "string"}}],
        "responses": {"200": ok("TasksPage"), "400": error, "401": error}}})
    spec.path("/api/v1/me/tasks/{task_id}", operations={"get": {
        "summary": "One of your open tasks", "security": secured, "parameters": [task_id],
        "responses": {"200": ok("Task"), **errors}}})
    spec.path("/api/v1/me/tasks/{task_id}/done", operations={"post": {
        "summary": "Mark one of your open tasks done, where its kind allows (as the inbox's Mark done)",
        "security": secured, "parameters": [task_id], "responses": {"200": ok("Task"), "400": error, **errors}}})
