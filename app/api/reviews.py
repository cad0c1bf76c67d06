"""API: a school's half-termly reviews (8.2, 8.3): list, one review, the reviews due this half-term, and
recording one (the same service and rules as the page: its task completed, 8.8 information shared).

Schemas live here, beside the resource; each route declares its contract (the document is generated).
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.permissions import Permission
from app.services import reviews as service


class _ReviewFields(Schema):
    """What a review records (8.2), as the API reads and writes it."""

    pupil_attended = fields.Boolean(load_default=False)
    parents_attended = fields.Boolean(load_default=False)
    provider_attended = fields.Boolean(load_default=False)
    school_attended = fields.Boolean(load_default=True)
    local_authority_attended = fields.Boolean(load_default=False)
    virtual_school_attended = fields.Boolean(load_default=False)
    social_worker_attended = fields.Boolean(load_default=False)
    attendees_note = fields.String(allow_none=True, load_default=None)
    attendance_note = fields.String(allow_none=True, load_default=None)
    progress_against_aims = fields.String(allow_none=True, load_default=None)
    pupil_views = fields.String(allow_none=True, load_default=None)
    parents_views = fields.String(allow_none=True, load_default=None)
    changes_agreed = fields.String(allow_none=True, load_default=None)
    reintegration_steps = fields.String(allow_none=True, load_default=None)
    next_review_on = fields.Date(allow_none=True, load_default=None)
    risk_assessment_reviewed = fields.Boolean(load_default=False)


class ReviewSchema(_ReviewFields):
    id = fields.Integer()
    placement_id = fields.Integer()
    pupil_id = fields.Integer()
    held_on = fields.Date()
    obligation = fields.String(attribute="dedupe_key", allow_none=True,
                               metadata={"description": "The review obligation it met; null for an extra review"})
    attendance_from = fields.Date(allow_none=True)
    attendance_percentage = fields.Decimal(as_string=True, allow_none=True,
                                           metadata={"description": "Since the last review, from the register"})
    information_shared_at = fields.DateTime(allow_none=True)


class ReviewInputSchema(_ReviewFields):
    class Meta:
        unknown = RAISE

    held_on = fields.Date(required=True)


class DueReviewSchema(Schema):
    placement_id = fields.Integer(attribute="placement.id")
    pupil_id = fields.Integer(attribute="placement.pupil_id")
    provider_name = fields.String(attribute="placement.provider.name")
    due_on = fields.Date()
    obligation = fields.String(attribute="dedupe_key")
    overdue = fields.Boolean()
    task_id = fields.Integer(allow_none=True)


class ReviewsQuerySchema(Schema):
    placement_id = fields.Integer()


@bp.get("/schools/<school_slug>/reviews")
@api_route(permission=Permission.REVIEWS_VIEW, response=ReviewSchema, many=True, query=ReviewsQuerySchema)
def reviews(school_slug: str):
    """The school's reviews, most recent first (one placement's with ?placement_id=)."""
    query = parse_query(ReviewsQuerySchema())
    rows = service.school_reviews(query.get("placement_id"))
    return page(rows, ReviewSchema(many=True))


@bp.get("/schools/<school_slug>/reviews/due")
@api_route(permission=Permission.REVIEWS_VIEW, response=DueReviewSchema, many=True)
def due_reviews(school_slug: str):
    """The reviews due this half-term and any still open from before, overdue first."""
    return page(service.due_reviews(), DueReviewSchema(many=True), key=lambda d: (d.placement.id, d.dedupe_key))


@bp.get("/schools/<school_slug>/reviews/<int:review_id>")
@api_route(permission=Permission.REVIEWS_VIEW, response=ReviewSchema)
def review(school_slug: str, review_id: int):
    return jsonify(ReviewSchema().dump(service.access_review(review_id)))


@bp.post("/schools/<school_slug>/placements/<int:placement_id>/reviews")
@api_route(permission=Permission.REVIEWS_RECORD, body=ReviewInputSchema, response=ReviewSchema, status=201)
def record_review(school_slug: str, placement_id: int):
    """Record a review held (8.2): completes its task and shares its key information (8.8) as the page does."""
    placement = service.access_placement(placement_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send the review as a JSON object.")
    values = ReviewInputSchema().load(body)
    result = service.record_review(placement, service.ReviewInput(**values), by=g.api_user)
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})
    return jsonify(ReviewSchema().dump(result.record)), 201
