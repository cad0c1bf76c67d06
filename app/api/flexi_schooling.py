"""API: flexi-schooling (policy section 10): requests (list, create, one), the headteacher's decision, agreements
(list, one) and withdrawal. The same services and rules as the pages (app.services.flexi_schooling); a refusal is
a 400 naming the field. Schemas live here, beside the resource; app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, fields, validate

from app.api.auth import ApiError, api_route
from app.api.limits import Schema
from app.api.routes import bp
from app.extensions import db
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
    record = db.session.get(FlexiRequest, flexi_request_id)  # scoped: another school's is not found
    if record is None or record.archived_at is not None:
        raise ApiError(404, "No such flexi-schooling request.")
    return record


def _agreement(flexi_agreement_id: int) -> FlexiAgreement:
    record = db.session.get(FlexiAgreement, flexi_agreement_id)
    if record is None or record.archived_at is not None:
        raise ApiError(404, "No such flexi-schooling agreement.")
    return record


@bp.get("/schools/<school_slug>/flexi-schooling-requests")
@api_route(permission=Permission.FLEXI_VIEW)
def flexi_requests(school_slug: str):
    return jsonify({"items": FlexiRequestSchema(many=True).dump(service.requests_of_school())})


@bp.post("/schools/<school_slug>/flexi-schooling-requests")
@api_route(permission=Permission.FLEXI_RECORD)
def create_flexi_request(school_slug: str):
    """Record a written request (10.4); a second for the pupil in the same academic year is refused."""
    data = FlexiRequestInputSchema().load(_body())
    result = service.record_request(service.RequestInput(**data), by=g.api_user)
    _refused(result)
    return jsonify(FlexiRequestSchema().dump(result.record)), 201


@bp.get("/schools/<school_slug>/flexi-schooling-requests/<int:flexi_request_id>")
@api_route(permission=Permission.FLEXI_VIEW)
def flexi_request(school_slug: str, flexi_request_id: int):
    return jsonify(FlexiRequestSchema().dump(_request(flexi_request_id)))


@bp.post("/schools/<school_slug>/flexi-schooling-requests/<int:flexi_request_id>/decision")
@api_route(permission=Permission.FLEXI_DECIDE)
def decide_flexi_request(school_slug: str, flexi_request_id: int):
    """The headteacher's decision with reasons (10.4), once: there is no appeal."""
    record = _request(flexi_request_id)
    data = DecisionInputSchema().load(_body())
    result = service.decide(record, data["decision"] == "approve", data["reasons"], by=g.api_user)
    _refused(result)
    return jsonify(FlexiRequestSchema().dump(result.record))


@bp.get("/schools/<school_slug>/flexi-schooling-agreements")
@api_route(permission=Permission.FLEXI_VIEW)
def flexi_agreements(school_slug: str):
    return jsonify({"items": FlexiAgreementSchema(many=True).dump(service.agreements_of_school())})


@bp.get("/schools/<school_slug>/flexi-schooling-agreements/<int:flexi_agreement_id>")
@api_route(permission=Permission.FLEXI_VIEW)
def flexi_agreement(school_slug: str, flexi_agreement_id: int):
    return jsonify(FlexiAgreementSchema().dump(_agreement(flexi_agreement_id)))


@bp.post("/schools/<school_slug>/flexi-schooling-agreements/<int:flexi_agreement_id>/withdrawal")
@api_route(permission=Permission.FLEXI_RECORD)
def withdraw_flexi_agreement(school_slug: str, flexi_agreement_id: int):
    """Withdrawal by either side (10.6): below four weeks' notice a reason is required; the LA is told (10.7)."""
    record = _agreement(flexi_agreement_id)
    data = WithdrawalInputSchema().load(_body())
    result = service.withdraw(record, service.WithdrawalInput(**data), by=g.api_user)
    _refused(result)
    return jsonify(FlexiAgreementSchema().dump(result.record))


def openapi_paths(spec, ok, error) -> None:
    """The flexi-schooling resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("FlexiSchoolingRequest", schema=FlexiRequestSchema)
    spec.components.schema("FlexiSchoolingRequestInput", schema=FlexiRequestInputSchema)
    spec.components.schema("FlexiSchoolingDecision", schema=DecisionInputSchema)
    spec.components.schema("FlexiSchoolingAgreement", schema=FlexiAgreementSchema)
    spec.components.schema("FlexiSchoolingWithdrawal", schema=WithdrawalInputSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {"401": error, "403": error, "404": error}

    def path_id(name):
        return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}

    def items(ref):
        return ok({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}})

    def body(ref):
        return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}

    base = "/api/v1/schools/{school_slug}"
    spec.path(f"{base}/flexi-schooling-requests", operations={
        "get": {"summary": "A school's flexi-schooling requests (10.4), newest first", "security": secured,
                "parameters": [slug], "responses": {"200": items("#/components/schemas/FlexiSchoolingRequest"),
                                                    **errors}},
        "post": {"summary": "Record a written request (a second for the pupil in the same academic year is refused)",
                 "security": secured, "parameters": [slug],
                 "requestBody": body("#/components/schemas/FlexiSchoolingRequestInput"),
                 "responses": {"201": ok("FlexiSchoolingRequest"), "400": error, **errors}}})
    spec.path(f"{base}/flexi-schooling-requests/{{flexi_request_id}}", operations={"get": {
        "summary": "One request and its decision", "security": secured,
        "parameters": [slug, path_id("flexi_request_id")],
        "responses": {"200": ok("FlexiSchoolingRequest"), **errors}}})
    spec.path(f"{base}/flexi-schooling-requests/{{flexi_request_id}}/decision", operations={"post": {
        "summary": "The headteacher's decision with reasons (10.4); there is no appeal", "security": secured,
        "parameters": [slug, path_id("flexi_request_id")],
        "requestBody": body("#/components/schemas/FlexiSchoolingDecision"),
        "responses": {"200": ok("FlexiSchoolingRequest"), "400": error, **errors}}})
    spec.path(f"{base}/flexi-schooling-agreements", operations={"get": {
        "summary": "A school's flexi-schooling agreements (10.5)", "security": secured, "parameters": [slug],
        "responses": {"200": items("#/components/schemas/FlexiSchoolingAgreement"), **errors}}})
    spec.path(f"{base}/flexi-schooling-agreements/{{flexi_agreement_id}}", operations={"get": {
        "summary": "One agreement", "security": secured, "parameters": [slug, path_id("flexi_agreement_id")],
        "responses": {"200": ok("FlexiSchoolingAgreement"), **errors}}})
    spec.path(f"{base}/flexi-schooling-agreements/{{flexi_agreement_id}}/withdrawal", operations={"post": {
        "summary": "Withdrawal by the school or the parent (10.6): a reason below four weeks' notice",
        "security": secured, "parameters": [slug, path_id("flexi_agreement_id")],
        "requestBody": body("#/components/schemas/FlexiSchoolingWithdrawal"),
        "responses": {"200": ok("FlexiSchoolingAgreement"), "400": error, **errors}}})
