"""API: a school's quality assurance (8.1, 8.4-8.6): QA activities (list, one, record one through the same service
as the page: follow-up tasks, the visit task completed, a concern raised), the providers' next visits, and
follow-up actions (list, one, close one). Schemas live here, beside the resource; app.api.openapi adds
`openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route, api_school_permissions, parse_body, parse_query
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.models import FollowUpStatus, QAActivityKind
from app.permissions import Permission
from app.policy.qa import may_change_follow_up
from app.services import qa as service

KINDS = [k.value for k in QAActivityKind]
STATUSES = [s.value for s in FollowUpStatus]


class FollowUpActionSchema(Schema):
    id = fields.Integer()
    qa_activity_id = fields.Integer(allow_none=True)
    provider_id = fields.Integer(allow_none=True)
    description = fields.String()
    owner_id = fields.Integer()
    due_on = fields.Date()
    status = fields.Function(lambda a: a.status.value, metadata={"description": " | ".join(STATUSES)})
    overdue = fields.Function(lambda a: service.is_overdue(a), metadata={"description": "Open and past its day"})
    outcome_note = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by_id = fields.Integer(allow_none=True)


class QAActivitySchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda a: a.kind.value, metadata={"description": " | ".join(KINDS)})
    held_on = fields.Date()
    provider_id = fields.Integer()
    placement_id = fields.Integer(allow_none=True)
    staff_spoken_with = fields.String(allow_none=True)
    pupils_spoken_with = fields.String(allow_none=True)
    parents_spoken_with = fields.String(allow_none=True)
    work_reviewed = fields.String(allow_none=True)
    lessons_observed = fields.String(allow_none=True)
    unstructured_time_observed = fields.String(allow_none=True)
    findings = fields.String()
    serious_finding = fields.Boolean()
    provider_concern_id = fields.Integer(allow_none=True)
    recorded_by_id = fields.Integer()
    follow_up_actions = fields.List(fields.Nested(FollowUpActionSchema))


class ActionInputSchema(Schema):
    class Meta:
        unknown = RAISE

    description = fields.String(allow_none=True, load_default=None)
    owner_id = fields.Integer(allow_none=True, load_default=None)
    due_on = fields.Date(allow_none=True, load_default=None)


class QAActivityInputSchema(Schema):
    class Meta:
        unknown = RAISE

    # Each field's rule lives once, in the service (app.services.qa.activity_errors), which the page's form also
    # calls: the schema only reads the types, so the API answers with the same field-named messages.
    kind = fields.String(allow_none=True, load_default=None, metadata={"description": f"Required: one of {KINDS}"})
    held_on = fields.Date(allow_none=True, load_default=None, metadata={"description": "Required"})
    provider_id = fields.Integer(allow_none=True, load_default=None,
                                 metadata={"description": "Required for a provider_visit"})
    placement_id = fields.Integer(allow_none=True, load_default=None,
                                  metadata={"description": "Required for a home_visit, call or online_meeting"})
    staff_spoken_with = fields.String(allow_none=True, load_default=None)
    pupils_spoken_with = fields.String(allow_none=True, load_default=None)
    parents_spoken_with = fields.String(allow_none=True, load_default=None)
    work_reviewed = fields.String(allow_none=True, load_default=None)
    lessons_observed = fields.String(allow_none=True, load_default=None)
    unstructured_time_observed = fields.String(allow_none=True, load_default=None)
    findings = fields.String(allow_none=True, load_default=None)
    serious_finding = fields.Boolean(load_default=False)
    raise_concern = fields.Boolean(load_default=False)
    concern_category = fields.String(allow_none=True, load_default=None)
    concern_severity = fields.String(allow_none=True, load_default=None)
    actions = fields.List(fields.Nested(ActionInputSchema), load_default=list)


class FollowUpStatusInputSchema(Schema):
    class Meta:
        unknown = RAISE

    status = fields.String(required=True, validate=validate.OneOf(["done", "cancelled"]))
    outcome_note = fields.String(allow_none=True, load_default=None)


class VisitDueSchema(Schema):
    provider_id = fields.Integer(attribute="provider.id")
    provider_name = fields.String(attribute="provider.name")
    placement_ids = fields.Function(lambda line: [p.id for p in line.placements])
    last_visit_on = fields.Date(allow_none=True)
    due_on = fields.Date(attribute="due.due_on")
    every_weeks = fields.Integer(attribute="due.every_weeks")
    overdue = fields.Boolean(attribute="due.overdue")


class ActivitiesQuerySchema(Schema):
    provider_id = fields.Integer()
    placement_id = fields.Integer()


class FollowUpsQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(metadata={"description": "true: only open actions past their day"})


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.")
    return body


def _refused(errors: dict[str, str]):
    raise ValidationError({name: [message] for name, message in errors.items()})


@bp.get("/schools/<school_slug>/qa-activities")
@api_route(permission=Permission.QA_VIEW, response=QAActivitySchema, many=True, query=ActivitiesQuerySchema)
def qa_activities(school_slug: str):
    """The school's QA activities, most recent first (?provider_id=, ?placement_id=)."""
    query = parse_query()
    rows = service.activities(query.get("provider_id"), query.get("placement_id"))
    return page(rows, QAActivitySchema(many=True))


@bp.post("/schools/<school_slug>/qa-activities")
@api_route(permission=Permission.QA_RECORD, body=QAActivityInputSchema, response=QAActivitySchema, status=201)
def record_qa_activity(school_slug: str):
    values = parse_body()
    actions = [service.ActionInput(**a) for a in values.pop("actions")]
    result = service.record_activity(service.ActivityInput(**values, actions=actions), by=g.api_user, school=g.school)
    if not result.ok:
        _refused(result.errors)
    return jsonify(QAActivitySchema().dump(result.record)), 201


@bp.get("/schools/<school_slug>/qa-activities/<int:qa_activity_id>")
@api_route(permission=Permission.QA_VIEW, response=QAActivitySchema)
def qa_activity(school_slug: str, qa_activity_id: int):
    return jsonify(QAActivitySchema().dump(service.access_activity(qa_activity_id)))


@bp.get("/schools/<school_slug>/qa-visits/due")
@api_route(permission=Permission.QA_VIEW, response=VisitDueSchema, many=True)
def qa_visits_due(school_slug: str):
    """Each provider of the school's active placements and when its next QA visit is due, overdue first."""
    return page(service.provider_visit_lines(), VisitDueSchema(many=True), key=lambda line: line.provider.id)


@bp.get("/schools/<school_slug>/follow-up-actions")
@api_route(permission=Permission.QA_VIEW, response=FollowUpActionSchema, many=True, query=FollowUpsQuerySchema)
def follow_up_actions(school_slug: str):
    """The school's follow-up actions, open first and soonest due (?status=, ?overdue=true)."""
    query = parse_query()
    status = FollowUpStatus(query["status"]) if "status" in query else None
    rows = service.follow_ups(status, overdue_only=query.get("overdue", False))
    return page(rows, FollowUpActionSchema(many=True))


@bp.get("/schools/<school_slug>/follow-up-actions/<int:follow_up_id>")
@api_route(permission=Permission.QA_VIEW, response=FollowUpActionSchema)
def follow_up_action(school_slug: str, follow_up_id: int):
    return jsonify(FollowUpActionSchema().dump(service.access_follow_up(follow_up_id)))


@bp.post("/schools/<school_slug>/follow-up-actions/<int:follow_up_id>/status")
@api_route(permission=Permission.QA_VIEW, body=FollowUpStatusInputSchema, response=FollowUpActionSchema)
def close_follow_up_action(school_slug: str, follow_up_id: int):
    """Mark an open action done or cancelled (with a reason); its owner's task is completed with it."""
    action = service.access_follow_up(follow_up_id)
    if not may_change_follow_up(Permission.QA_RECORD in api_school_permissions(), action.owner_id == g.api_user.id):
        raise ApiError(403, "Only whoever keeps the QA record, or the action's owner, may close it.")
    values = parse_body()
    result = service.set_follow_up_status(action, values["status"], values["outcome_note"], g.api_user)
    if not result.ok:
        _refused(result.errors)
    return jsonify(FollowUpActionSchema().dump(result.record))
