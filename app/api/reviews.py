"""API: a school's half-termly reviews (8.2, 8.3): list, one review, the reviews due this half-term, and
recording one (the same service and rules as the page: its task completed, 8.8 information shared).

Schemas live here, beside the resource; app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
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
@api_route(permission=Permission.REVIEWS_VIEW)
def reviews(school_slug: str):
    """The school's reviews, most recent first (one placement's with ?placement_id=)."""
    query = parse_query(ReviewsQuerySchema())
    rows = service.school_reviews(query.get("placement_id"))
    return jsonify({"items": ReviewSchema(many=True).dump(rows)})


@bp.get("/schools/<school_slug>/reviews/due")
@api_route(permission=Permission.REVIEWS_VIEW)
def due_reviews(school_slug: str):
    """The reviews due this half-term and any still open from before, overdue first."""
    return jsonify({"items": DueReviewSchema(many=True).dump(service.due_reviews())})


@bp.get("/schools/<school_slug>/reviews/<int:review_id>")
@api_route(permission=Permission.REVIEWS_VIEW)
def review(school_slug: str, review_id: int):
    return jsonify(ReviewSchema().dump(service.access_review(review_id)))


@bp.post("/schools/<school_slug>/placements/<int:placement_id>/reviews")
@api_route(permission=Permission.REVIEWS_RECORD)
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


def openapi_paths(spec, ok, error) -> None:
    """The review resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("PlacementReview", schema=ReviewSchema)
    spec.components.schema("PlacementReviewInput", schema=ReviewInputSchema)
    spec.components.schema("DueReview", schema=DueReviewSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {"401": error, "403": error, "404": error}

    def items(ref):
        return ok({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}})

    spec.path("/api/v1/schools/{school_slug}/reviews", operations={"get": {
        "summary": "A school's half-termly reviews (8.2, 8.3), most recent first", "security": secured,
        "parameters": [slug, {"name": "placement_id", "in": "query", "required": False,
                              "schema": {"type": "integer"}}],
        "responses": {"200": items("#/components/schemas/PlacementReview"), "400": error, **errors}}})
    spec.path("/api/v1/schools/{school_slug}/reviews/due", operations={"get": {
        "summary": "The reviews due this half-term, overdue first", "security": secured, "parameters": [slug],
        "responses": {"200": items("#/components/schemas/DueReview"), **errors}}})
    spec.path("/api/v1/schools/{school_slug}/reviews/{review_id}", operations={"get": {
        "summary": "One review", "security": secured,
        "parameters": [slug, {"name": "review_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": ok("PlacementReview"), **errors}}})
    spec.path("/api/v1/schools/{school_slug}/placements/{placement_id}/reviews", operations={"post": {
        "summary": "Record a review held (completes its task; shares its key information, 8.8)",
        "security": secured,
        "parameters": [slug, {"name": "placement_id", "in": "path", "required": True,
                              "schema": {"type": "integer"}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/PlacementReviewInput"}}}},
        "responses": {"201": ok("PlacementReview"), "400": error, **errors}}})
