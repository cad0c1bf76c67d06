"""API: flexi-schooling (policy section 10): requests (list, create, one), the headteacher's decision, agreements
(list, one) and withdrawal. The same services and rules as the pages (app.services.flexi_schooling); a refusal is
a 400 naming the field. Schemas live here, beside the resource; each route declares its contract (the document is generated).
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, fields, validate

from app.api.auth import ApiError, api_route
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.models import FlexiAgreement, FlexiRequest
from app.permissions import Permission
from app.policy.flexi_schooling import describe_pattern
from app.services import flexi_schooling as service

PATTERN_DESCRIPTION = ("The sessions at home: \"mon_am\", \"fri_pm\", \"wed_day\" ... or {\"weekday\": \"mon\", "
                       "\"block\": \"am\"|\"pm\"|\"day\"}; whole blocks only (policy 10.5)")


class FlexiRequestSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    academic_year = fields.Function(lambda r: f"{r.academic_year}-{(r.academic_year + 1) % 100:02d}")
    received_on = fields.Date()
    requested_by = fields.String()
    request_summary = fields.String()
    proposed_home_sessions = fields.List(fields.String(), metadata={"description": "mon_am style"})
    proposed_pattern = fields.Function(lambda r: describe_pattern(r.proposed_home_sessions))
    has_document = fields.Function(lambda r: r.document_stored_name is not None)
    meeting_offered_on = fields.Date(allow_none=True)
    meeting_held_on = fields.Date(allow_none=True)
    status = fields.Function(lambda r: r.status.value, metadata={"description": "received, approved or refused"})
    decided_on = fields.Date(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decision_reasons = fields.String(allow_none=True)
    letter_sent_on = fields.Date(allow_none=True)
    agreement_id = fields.Function(lambda r: r.agreement.id if r.agreement else None, allow_none=True)


class FlexiRequestInputSchema(Schema):
    class Meta:
        unknown = RAISE

    pupil_id = fields.Integer(required=True)
    received_on = fields.Date(required=True)
    requested_by = fields.String(required=True, validate=validate.Length(max=200))
    request_summary = fields.String(required=True)
    proposed_pattern = fields.List(fields.Raw(), required=True, metadata={"description": PATTERN_DESCRIPTION})
    meeting_offered_on = fields.Date(allow_none=True, load_default=None)


class DecisionInputSchema(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "refuse"]))
    reasons = fields.String(required=True)


class FlexiAgreementSchema(Schema):
    id = fields.Integer()
    request_id = fields.Integer()
    pupil_id = fields.Integer()
    pupil_needs = fields.String()
    rationale = fields.String()
    start_date = fields.Date()
    home_sessions = fields.List(fields.String(), metadata={"description": "Register code C on these sessions"})
    pattern = fields.Function(lambda a: describe_pattern(a.home_sessions))
    home_education_provision = fields.String()
    section_7_how_met = fields.String()
    welfare_responsible_at_home = fields.String()
    school_curriculum = fields.String()
    school_assessments = fields.String()
    school_send_provision = fields.String(allow_none=True)
    agreed_on = fields.Date()
    withdrawn_by = fields.Function(lambda a: a.withdrawn_by.value if a.withdrawn_by else None, allow_none=True)
    notice_given_on = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)


class WithdrawalInputSchema(Schema):
    class Meta:
        unknown = RAISE

    withdrawn_by = fields.String(required=True, validate=validate.OneOf(["school", "parent"]))
    notice_given_on = fields.Date(required=True)
    end_date = fields.Date(required=True)
    reason = fields.String(allow_none=True, load_default=None)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.")
    return body


def _refused(result) -> None:
    if not result.ok:
        raise ApiError(400, "The request is not valid: see the fields.",
                       {name: [message] for name, message in result.errors.items()})


def _request(flexi_request_id: int) -> FlexiRequest:
    return service.access_request(flexi_request_id)  # another school's is not found


def _agreement(flexi_agreement_id: int) -> FlexiAgreement:
    return service.access_agreement(flexi_agreement_id)


@bp.get("/schools/<school_slug>/flexi-schooling-requests")
@api_route(permission=Permission.FLEXI_VIEW, response=FlexiRequestSchema, many=True)
def flexi_requests(school_slug: str):
    return page(service.requests_of_school(), FlexiRequestSchema(many=True))


@bp.post("/schools/<school_slug>/flexi-schooling-requests")
@api_route(permission=Permission.FLEXI_RECORD, body=FlexiRequestInputSchema, response=FlexiRequestSchema, status=201)
def create_flexi_request(school_slug: str):
    """Record a written request (10.4); a second for the pupil in the same academic year is refused."""
    data = FlexiRequestInputSchema().load(_body())
    result = service.record_request(service.RequestInput(**data), by=g.api_user)
    _refused(result)
    return jsonify(FlexiRequestSchema().dump(result.record)), 201


@bp.get("/schools/<school_slug>/flexi-schooling-requests/<int:flexi_request_id>")
@api_route(permission=Permission.FLEXI_VIEW, response=FlexiRequestSchema)
def flexi_request(school_slug: str, flexi_request_id: int):
    return jsonify(FlexiRequestSchema().dump(_request(flexi_request_id)))


@bp.post("/schools/<school_slug>/flexi-schooling-requests/<int:flexi_request_id>/decision")
@api_route(permission=Permission.FLEXI_DECIDE, body=DecisionInputSchema, response=FlexiRequestSchema)
def decide_flexi_request(school_slug: str, flexi_request_id: int):
    """The headteacher's decision with reasons (10.4), once: there is no appeal."""
    record = _request(flexi_request_id)
    data = DecisionInputSchema().load(_body())
    result = service.decide(record, data["decision"] == "approve", data["reasons"], by=g.api_user)
    _refused(result)
    return jsonify(FlexiRequestSchema().dump(result.record))


@bp.get("/schools/<school_slug>/flexi-schooling-agreements")
@api_route(permission=Permission.FLEXI_VIEW, response=FlexiAgreementSchema, many=True)
def flexi_agreements(school_slug: str):
    return page(service.agreements_of_school(), FlexiAgreementSchema(many=True))


@bp.get("/schools/<school_slug>/flexi-schooling-agreements/<int:flexi_agreement_id>")
@api_route(permission=Permission.FLEXI_VIEW, response=FlexiAgreementSchema)
def flexi_agreement(school_slug: str, flexi_agreement_id: int):
    return jsonify(FlexiAgreementSchema().dump(_agreement(flexi_agreement_id)))


@bp.post("/schools/<school_slug>/flexi-schooling-agreements/<int:flexi_agreement_id>/withdrawal")
@api_route(permission=Permission.FLEXI_RECORD, body=WithdrawalInputSchema, response=FlexiAgreementSchema)
def withdraw_flexi_agreement(school_slug: str, flexi_agreement_id: int):
    """Withdrawal by either side (10.6): below four weeks' notice a reason is required; the LA is told (10.7)."""
    record = _agreement(flexi_agreement_id)
    data = WithdrawalInputSchema().load(_body())
    result = service.withdraw(record, service.WithdrawalInput(**data), by=g.api_user)
    _refused(result)
    return jsonify(FlexiAgreementSchema().dump(result.record))
