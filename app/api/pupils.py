"""API: a school's pupils. GET the list (search, paging) and one pupil; POST a new pupil.

The input schema is an allow-list: an unknown field is a 400 naming it, and the pupil rules
(app.services.pupils) answer by field too, in the same shape. Schemas live here, beside the resource.
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import api_route, parse_body, parse_query
from app.api.limits import Schema
from app.api.paging import page
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
    """GET /pupils?q=robin"""

    q = fields.String(load_default=None, metadata={"description": "Part of a name or the UPN"})


@bp.get("/schools/<school_slug>/pupils")
@api_route(permission=Permission.PUPILS_VIEW, response=PupilSchema, many=True, query=PupilsQuerySchema)
def list_pupils(school_slug: str):
    """The school's pupils (not archived)."""
    query = parse_query()
    return page(service.search_pupils(query["q"]), PupilSchema(many=True))


@bp.get("/schools/<school_slug>/pupils/<int:pupil_id>")
@api_route(permission=Permission.PUPILS_VIEW, response=PupilDetailSchema)
def get_pupil(school_slug: str, pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    body = PupilDetailSchema().dump(pupil)
    # Read through the API as through the page: recorded for the DSL (issue 19 item 4).
    read_audit.record_read("Pupil", pupil.id, pupil.id, g.api_user.id, pupil.school_id)
    return jsonify(body)


@bp.post("/schools/<school_slug>/pupils")
@api_route(permission=Permission.PUPILS_EDIT, body=PupilInputSchema, response=PupilDetailSchema, status=201)
def create_pupil(school_slug: str):
    values = parse_body()
    result = service.create_pupil(values, by=g.api_user)
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})
    return jsonify(PupilDetailSchema().dump(result.record)), 201
