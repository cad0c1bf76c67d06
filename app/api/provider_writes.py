"""API: the writes the provider pages make (issue 17 item 1), through the same services: a round of checks
(7.8) and each item of it, the provider risk assessment's approval (7.8, 7.9: vets the provider for 12 months), a
material change (7.9) and suspension (and lifting it). A change to the shared record follows the register's
governance (app.services.provider_governance): a school that may not change it gets a 403 saying why.

Recording a check item is a PUT of that item: send its ETag in If-Match (from GET .../provider-check-items/<id>).
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route, parse_body
from app.api.etag import check_if_match, tagged
from app.api.limits import Schema
from app.api.providers import ProviderCheckItemSchema, ProviderCheckSchema, ProviderDetailSchema
from app.api.routes import bp
from app.models import CheckOutcome, RiskRating
from app.permissions import Permission
from app.services import provider_governance as governance
from app.services import providers as service


class _Input(Schema):
    class Meta:
        unknown = RAISE


class CheckItemInputSchema(_Input):
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in CheckOutcome]))
    not_applicable_reason = fields.String(load_default=None, allow_none=True)
    evidence_note = fields.String(load_default=None, allow_none=True)
    checked_on = fields.Date(load_default=None, allow_none=True)


class RiskApprovalInputSchema(_Input):
    rating = fields.String(required=True, validate=validate.OneOf([r.value for r in RiskRating]))
    risks = fields.String(load_default=None, allow_none=True)
    mitigations = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "Needed for a medium or high rating"})


class NoteInputSchema(_Input):
    note = fields.String(required=True, metadata={"description": "What has changed"})


class ReasonInputSchema(_Input):
    reason = fields.String(required=True)


def _refused(result) -> None:
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})


def _may_change(provider) -> None:
    reason = governance.refusal(provider, g.school, g.api_user)
    if reason is not None:
        raise ApiError(403, reason)


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/checks")
@api_route(permission=Permission.PROVIDER_CHECKS_RECORD, response=ProviderCheckSchema, status=201)
def start_provider_check(school_slug: str, provider_id: int):
    """Start a round of pre-placement checks (7.8), or answer with the round already in progress (shared)."""
    check = service.start_check(service.access_provider(provider_id), g.school, g.api_user)
    return jsonify(ProviderCheckSchema().dump(check)), 201


@bp.get("/schools/<school_slug>/provider-checks/<int:check_id>")
@api_route(permission=Permission.PROVIDERS_VIEW, response=ProviderCheckSchema)
def provider_check(school_slug: str, check_id: int):
    """One round of checks with its items."""
    return jsonify(ProviderCheckSchema().dump(service.access_check(check_id)))


@bp.get("/schools/<school_slug>/provider-check-items/<int:check_item_id>")
@api_route(permission=Permission.PROVIDERS_VIEW, response=ProviderCheckItemSchema, etag=True)
def provider_check_item(school_slug: str, check_item_id: int):
    return tagged(ProviderCheckItemSchema().dump(service.access_check_item(check_item_id)))


@bp.put("/schools/<school_slug>/provider-check-items/<int:check_item_id>")
@api_route(permission=Permission.PROVIDER_CHECKS_RECORD, body=CheckItemInputSchema, response=ProviderCheckItemSchema,
           etag=True)
def record_provider_check_item(school_slug: str, check_item_id: int):
    """Record one check item (7.8): its outcome, why it does not apply, the evidence seen (files on the page)."""
    row = service.access_check_item(check_item_id)
    check_if_match(ProviderCheckItemSchema().dump(row))
    values = parse_body()
    _refused(service.record_check_item(
        row, outcome=CheckOutcome(values["outcome"]), not_applicable_reason=values["not_applicable_reason"],
        evidence_note=values["evidence_note"], checked_on=values["checked_on"], uploads=[], school=g.school,
        user=g.api_user))
    return tagged(ProviderCheckItemSchema().dump(row))


@bp.post("/schools/<school_slug>/provider-checks/<int:check_id>/risk-assessment")
@api_route(permission=Permission.PROVIDER_RISK_APPROVE, body=RiskApprovalInputSchema, response=ProviderDetailSchema)
def approve_provider_risk_assessment(school_slug: str, check_id: int):
    """Approve the provider risk assessment of a complete round (7.8): vets the provider for 12 months (7.9).
    Refused naming `items` while any check is not done."""
    check = service.access_check(check_id)
    values = parse_body()
    _refused(service.approve_risk_assessment(check, rating=RiskRating(values["rating"]), risks=values["risks"],
                                             mitigations=values["mitigations"], school=g.school, user=g.api_user))
    return jsonify(ProviderDetailSchema().dump(check.provider))


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/material-change")
@api_route(permission=Permission.PROVIDERS_EDIT, body=NoteInputSchema, response=ProviderDetailSchema)
def record_material_change(school_slug: str, provider_id: int):
    """A material change (7.9): the vetting lapses until a new risk assessment; schools using it are told."""
    provider = service.access_provider(provider_id)
    _may_change(provider)
    _refused(service.record_material_change(provider, parse_body()["note"], g.school, g.api_user))
    return jsonify(ProviderDetailSchema().dump(provider))


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/suspension")
@api_route(permission=Permission.PROVIDER_SUSPEND, body=ReasonInputSchema, response=ProviderDetailSchema)
def suspend_provider(school_slug: str, provider_id: int):
    """Suspend the provider: no new placements; schools with active placements there are told at once."""
    provider = service.access_provider(provider_id)
    _may_change(provider)
    _refused(service.suspend_provider(provider, g.api_user, parse_body()["reason"], school=g.school))
    return jsonify(ProviderDetailSchema().dump(provider))


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/suspension-lifted")
@api_route(permission=Permission.PROVIDER_SUSPEND, body=ReasonInputSchema, response=ProviderDetailSchema)
def lift_provider_suspension(school_slug: str, provider_id: int):
    """Lift the suspension: new placements again only if the vetting still holds."""
    provider = service.access_provider(provider_id)
    _may_change(provider)
    _refused(service.lift_suspension(provider, g.api_user, parse_body()["reason"], school=g.school))
    return jsonify(ProviderDetailSchema().dump(provider))
