"""API: a school's placements, their readiness (what is still missing) and off-site directions. Read-only.

Schemas live here, beside the resource; each route declares its contract (the document is generated).
"""
from __future__ import annotations

from flask import jsonify
from marshmallow import fields

from app.api.auth import api_route, parse_query
from app.api.etag import tagged
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.models import PlacementStatus
from app.permissions import Permission
from app.services import placements as service


class WeeklySessionSchema(Schema):
    weekday = fields.Integer(metadata={"description": "0 = Monday ... 4 = Friday"})
    session = fields.String(attribute="session.value")
    starts_at = fields.Time(format="%H:%M")
    ends_at = fields.Time(format="%H:%M")


class PlacementSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    provider_id = fields.Integer()
    provider_name = fields.String(attribute="provider.name")
    status = fields.String(attribute="status.value")
    arranged_by = fields.String(attribute="arranged_by.value")
    is_off_site_direction = fields.Boolean()
    start_date = fields.Date()
    planned_end_date = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)


class AgreementSchema(Schema):
    aims_and_outcomes = fields.String(allow_none=True)
    curriculum_and_qualifications = fields.String(allow_none=True)
    review_arrangements = fields.String(allow_none=True)
    review_every_weeks = fields.Integer(allow_none=True)
    cost_amount = fields.Decimal(as_string=True, allow_none=True)
    cost_unit = fields.Function(lambda a: a.cost_unit.value if a.cost_unit else None)
    agreed_on = fields.Date(allow_none=True)


class PlacementDetailSchema(PlacementSchema):
    weekly_sessions = fields.List(fields.Nested(WeeklySessionSchema))
    weekly_hours = fields.Function(service.weekly_hours)
    key_information_shared_on = fields.Date(allow_none=True)
    agreement = fields.Nested(AgreementSchema, allow_none=True)
    end_destination = fields.String(allow_none=True)
    end_progress = fields.String(allow_none=True)
    end_achievements = fields.String(allow_none=True)
    end_pupil_assessment = fields.String(allow_none=True)


class MissingSchema(Schema):
    condition = fields.String()
    section = fields.String(metadata={"description": "The policy section"})
    line = fields.String()


class ReadinessSchema(Schema):
    placement_id = fields.Integer()
    status = fields.String()
    ready = fields.Boolean()
    missing = fields.List(fields.Nested(MissingSchema))


class OffSiteDirectionSchema(Schema):
    id = fields.Integer()
    placement_id = fields.Integer()
    reasons_and_objectives = fields.String()
    governing_body_approved_on = fields.Date(allow_none=True)
    governing_body_approval_reference = fields.String(allow_none=True)
    review_on = fields.Date()
    ends_by = fields.Date()
    report_to = fields.String(allow_none=True)
    parents_letter_sent_on = fields.Date(allow_none=True)


class PlacementsQuerySchema(Schema):
    """GET .../placements?status=active: only placements with that status."""

    status = fields.Enum(PlacementStatus, by_value=True)


@bp.get("/schools/<school_slug>/placements")
@api_route(permission=Permission.PLACEMENTS_VIEW, response=PlacementSchema, many=True, query=PlacementsQuerySchema)
def placements(school_slug: str):
    """The school's placements, newest start first."""
    query = parse_query(PlacementsQuerySchema())
    grouped = service.school_placements()
    rows = grouped[query["status"]] if "status" in query else [p for ps in grouped.values() for p in ps]
    return page(rows, PlacementSchema(many=True))


@bp.get("/schools/<school_slug>/placements/<int:placement_id>")
@api_route(permission=Permission.PLACEMENTS_VIEW, response=PlacementDetailSchema, etag=True)
def placement(school_slug: str, placement_id: int):
    return tagged(PlacementDetailSchema().dump(service.access_placement(placement_id)))


@bp.get("/schools/<school_slug>/placements/<int:placement_id>/readiness")
@api_route(permission=Permission.PLACEMENTS_VIEW, response=ReadinessSchema)
def readiness(school_slug: str, placement_id: int):
    """What is still missing before a planned placement may start (empty once started)."""
    p = service.access_placement(placement_id)
    missing = service.placement_readiness(p) if p.status == PlacementStatus.PLANNED else []
    return jsonify(ReadinessSchema().dump({"placement_id": p.id, "status": p.status.value,
                                           "ready": p.status == PlacementStatus.PLANNED and not missing,
                                           "missing": missing}))


@bp.get("/schools/<school_slug>/off-site-directions")
@api_route(permission=Permission.PLACEMENTS_VIEW, response=OffSiteDirectionSchema, many=True)
def directions(school_slug: str):
    rows = service.school_directions()
    return page(rows, OffSiteDirectionSchema(many=True))
