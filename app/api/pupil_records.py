"""API: a pupil's pre-placement records (issue 17 item 1), through the same service as the pages
(app.services.pupils): the referral and needs analysis (4.3, 5.2), an individual risk assessment or its review
(4.3), a consultation of the parents or carers (7.4) and the involvement of the LA SEND team, the Virtual School
Head or a social worker (7.5, 7.6). Each input schema is an allow-list; the rules stay in the service, which
answers by field, and a refusal saves nothing."""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import api_route, parse_body
from app.api.limits import Schema
from app.api.routes import bp
from app.models import InvolvementParty
from app.permissions import Permission
from app.policy.referral import REFERRAL_REASONS
from app.services import pupils as service

REASONS = [code for code, _label in REFERRAL_REASONS]


def _text(**kwargs):
    return fields.String(load_default=None, allow_none=True, **kwargs)


def _date(**kwargs):
    return fields.Date(load_default=None, allow_none=True, **kwargs)


class ReferralSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    academic_needs = fields.String()
    personal_needs = fields.String()
    social_needs = fields.String()
    reasons = fields.List(fields.String(), metadata={"description": "Codes of the policy's reasons (5.2)"})
    options_considered = fields.String()
    on_site_options_considered = fields.String(allow_none=True)
    proposed_on = fields.Date()
    proposed_by_id = fields.Integer()


class ReferralInputSchema(Schema):
    class Meta:
        unknown = RAISE

    academic_needs = _text()
    personal_needs = _text()
    social_needs = _text()
    reasons = fields.List(fields.String(validate=validate.OneOf(REASONS)), load_default=list,
                          validate=validate.Length(max=len(REASONS)))
    options_considered = _text()
    on_site_options_considered = _text()
    proposed_on = _date()


class PupilRiskAssessmentSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    reviews_id = fields.Integer(allow_none=True, metadata={"description": "The assessment this one reviews"})
    assessed_on = fields.Date()
    assessed_by_id = fields.Integer()
    risks = fields.String()
    control_measures = fields.String()
    review_due_on = fields.Date()


class PupilRiskAssessmentInputSchema(Schema):
    class Meta:
        unknown = RAISE

    reviews_id = fields.Integer(load_default=None, allow_none=True,
                                metadata={"description": "Give it to review an earlier assessment of this pupil"})
    assessed_on = _date()
    risks = _text()
    control_measures = _text()
    review_due_on = _date()


class ConsultationSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    placement_id = fields.Integer(allow_none=True)
    carer_id = fields.Integer(allow_none=True)
    consulted_on = fields.Date()
    method = fields.String()
    carer_views = fields.String()
    school_decision = fields.String()
    decision_reason = fields.String(allow_none=True)
    recorded_by_id = fields.Integer()


class ConsultationInputSchema(Schema):
    class Meta:
        unknown = RAISE

    placement_id = fields.Integer(load_default=None, allow_none=True, metadata={"description": "One of the pupil's"})
    carer_id = fields.Integer(load_default=None, allow_none=True)
    consulted_on = _date()
    method = _text(metadata={"description": " | ".join(code for code, _label in service.CONSULTATION_METHODS)})
    carer_views = _text()
    school_decision = _text()
    decision_reason = _text()


class InvolvementSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    party = fields.String(attribute="party.value")
    person_name = fields.String()
    involved_on = fields.Date()
    ehcp_review_needed = fields.Boolean(allow_none=True)
    notes = fields.String(allow_none=True)
    recorded_by_id = fields.Integer()


class InvolvementInputSchema(Schema):
    class Meta:
        unknown = RAISE

    party = _text(metadata={"description": " | ".join(p.value for p in InvolvementParty)})
    person_name = _text()
    involved_on = _date()
    ehcp_review_needed = fields.Boolean(load_default=None, allow_none=True,
                                        metadata={"description": "Asked of the LA SEND team only (7.5)"})
    notes = _text()


def _saved(result, schema):
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})
    return jsonify(schema.dump(result.record)), 201


def _pupil(pupil_id: int):
    return service.access_pupil(pupil_id, include_archived=False)  # another school's pupil is not found


@bp.post("/schools/<school_slug>/pupils/<int:pupil_id>/referrals")
@api_route(permission=Permission.PRE_PLACEMENT_RECORD, body=ReferralInputSchema, response=ReferralSchema, status=201)
def record_referral(school_slug: str, pupil_id: int):
    """Record the referral and needs analysis (4.3, 5.2, 7.3)."""
    pupil = _pupil(pupil_id)
    return _saved(service.record_referral(pupil, parse_body(), by=g.api_user), ReferralSchema())


@bp.post("/schools/<school_slug>/pupils/<int:pupil_id>/risk-assessments")
@api_route(permission=Permission.PRE_PLACEMENT_RECORD, body=PupilRiskAssessmentInputSchema,
           response=PupilRiskAssessmentSchema, status=201)
def record_risk_assessment(school_slug: str, pupil_id: int):
    """Record an individual risk assessment (4.3), or a review of an earlier one (`reviews_id`)."""
    pupil = _pupil(pupil_id)
    values = parse_body()
    reviews_id = values.pop("reviews_id")
    reviews = service.access_risk_assessment(pupil, reviews_id) if reviews_id else None
    return _saved(service.record_risk_assessment(pupil, values, by=g.api_user, reviews=reviews),
                  PupilRiskAssessmentSchema())


@bp.post("/schools/<school_slug>/pupils/<int:pupil_id>/consultations")
@api_route(permission=Permission.PRE_PLACEMENT_RECORD, body=ConsultationInputSchema, response=ConsultationSchema,
           status=201)
def record_consultation(school_slug: str, pupil_id: int):
    """Record the consultation of the parents or carers (7.4), about a placement when `placement_id` is given."""
    pupil = _pupil(pupil_id)
    values = parse_body()
    placement_id = values.pop("placement_id")
    placement = service.access_pupil_placement(pupil, placement_id) if placement_id else None
    return _saved(service.record_consultation(pupil, values, by=g.api_user, placement=placement),
                  ConsultationSchema())


@bp.post("/schools/<school_slug>/pupils/<int:pupil_id>/involvements")
@api_route(permission=Permission.PRE_PLACEMENT_RECORD, body=InvolvementInputSchema, response=InvolvementSchema,
           status=201)
def record_involvement(school_slug: str, pupil_id: int):
    """Record the involvement of the LA SEND team, the Virtual School Head or a social worker (7.5, 7.6)."""
    pupil = _pupil(pupil_id)
    return _saved(service.record_involvement(pupil, parse_body(), by=g.api_user), InvolvementSchema())
