"""API: a school's pupils. GET the list (search, paging) and one pupil; POST a new pupil.

The input schema is an allow-list: an unknown field is a 400 naming it, and the pupil rules
(app.services.pupils) answer by field too, in the same shape. Schemas live here, beside the resource.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.permissions import Permission
from app.services import pupils as service
from app.services import read_audit


class CarerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    relationship_to_pupil = fields.String(allow_none=True)
    lives_with = fields.Boolean()
    has_parental_responsibility = fields.Boolean()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class PupilSchema(Schema):
    """A pupil as the API shows it (the list leaves out carers and medical needs)."""

    id = fields.Integer()
    upn = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    preferred_name = fields.String(allow_none=True)
    date_of_birth = fields.Date()
    year_group = fields.Integer()
    has_ehcp = fields.Boolean()
    sen_support = fields.Boolean()
    is_looked_after = fields.Boolean()
    has_social_worker = fields.Boolean()
    fsm_eligible = fields.Boolean()
    compulsory_school_age = fields.Method("_school_age")
    archived = fields.Boolean(attribute="is_archived")

    def _school_age(self, pupil) -> str:
        return service.school_age_of(pupil).status


class PupilDetailSchema(PupilSchema):
    social_worker_name = fields.String(allow_none=True)
    social_worker_email = fields.String(allow_none=True)
    social_worker_phone = fields.String(allow_none=True)
    medical_needs = fields.String(allow_none=True)
    carers = fields.Method("_carers")

    def _carers(self, pupil):
        return CarerSchema(many=True).dump(service.carers_of(pupil))


class PupilInputSchema(Schema):
    """POST body: exactly these fields (anything else is refused by name)."""

    class Meta:
        unknown = RAISE

    upn = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    preferred_name = fields.String(load_default=None, allow_none=True)
    date_of_birth = fields.Date(required=True)
    year_group = fields.Integer(required=True, validate=validate.Range(-1, 13))
    has_ehcp = fields.Boolean(load_default=False)
    sen_support = fields.Boolean(load_default=False)
    is_looked_after = fields.Boolean(load_default=False)
    has_social_worker = fields.Boolean(load_default=False)
    social_worker_name = fields.String(load_default=None, allow_none=True)
    social_worker_email = fields.String(load_default=None, allow_none=True)
    social_worker_phone = fields.String(load_default=None, allow_none=True)
    fsm_eligible = fields.Boolean(load_default=False)
    medical_needs = fields.String(load_default=None, allow_none=True)


class PupilsQuerySchema(Schema):
    """GET /pupils?q=robin&page=2"""

    q = fields.String(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


@bp.get("/schools/<school_slug>/pupils")
@api_route(permission=Permission.PUPILS_VIEW)
def list_pupils(school_slug: str):
    """The school's pupils (not archived), by last name, 50 a page."""
    query = parse_query(PupilsQuerySchema())
    listing = service.list_pupils(query["q"], query["page"])
    return jsonify({"items": PupilSchema(many=True).dump(listing.pupils), "total": listing.total,
                    "page": listing.page, "pages": listing.pages})


@bp.get("/schools/<school_slug>/pupils/<int:pupil_id>")
@api_route(permission=Permission.PUPILS_VIEW)
def get_pupil(school_slug: str, pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    body = PupilDetailSchema().dump(pupil)
    # Read through the API as through the page: recorded for the DSL (issue 19 item 4).
    read_audit.record_read("Pupil", pupil.id, pupil.id, g.api_user.id, pupil.school_id)
    return jsonify(body)


@bp.post("/schools/<school_slug>/pupils")
@api_route(permission=Permission.PUPILS_EDIT)
def create_pupil(school_slug: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send the pupil as a JSON object.")
    values = PupilInputSchema().load(body)
    result = service.create_pupil(values, by=g.api_user)
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})
    return jsonify(PupilDetailSchema().dump(result.record)), 201


def openapi_paths(spec, ok, error) -> None:
    """The pupil resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("Pupil", schema=PupilSchema)
    spec.components.schema("PupilDetail", schema=PupilDetailSchema)
    spec.components.schema("PupilInput", schema=PupilInputSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    spec.path("/api/v1/schools/{school_slug}/pupils", operations={
        "get": {"summary": "A school's pupils", "security": secured,
                "parameters": [slug,
                               {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                                "description": "Part of a name or the UPN"},
                               {"name": "page", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": ok({"type": "object", "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Pupil"}},
                    "total": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"}}}),
                    "400": error, "401": error, "403": error, "404": error}},
        "post": {"summary": "Add a pupil", "security": secured, "parameters": [slug],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/PupilInput"}}}},
                 "responses": {"201": {"description": "Created", "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/PupilDetail"}}}},
                     "400": error, "401": error, "403": error, "404": error}}})
    spec.path("/api/v1/schools/{school_slug}/pupils/{pupil_id}", operations={"get": {
        "summary": "One pupil, with carers", "security": secured,
        "parameters": [slug, {"name": "pupil_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": ok("PupilDetail"), "401": error, "403": error, "404": error}}})
