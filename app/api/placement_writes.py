"""API: the writes a placement's pages make (issue 17 item 1), through the same services: create, the agreement
(7.11), the weekly pattern, key information shared (7.10), start (7.12), end, and the off-site direction (6.1-6.4:
its record with the review date, the governing body's approval, the letter to parents sent).

A write to an existing placement sends the placement's ETag in If-Match (a PUT without one is a 428, a stale one a
412) and answers with the placement and its new ETag. The services' field-named refusals are 400s naming the
same fields, and nothing is saved.
"""
from __future__ import annotations

from flask import g
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route, parse_body
from app.api.etag import check_if_match, tagged
from app.api.limits import Schema
from app.api.placements import OffSiteDirectionSchema, PlacementDetailSchema
from app.api.routes import bp
from app.models import ArrangedBy, CostUnit
from app.permissions import Permission
from app.services import placements as service
from app.services.placements.commissioning import PlacementInput, SessionInput
from app.services.placements.direction import DirectionInput
from app.services.placements.lifecycle import EndInput


class _Input(Schema):
    class Meta:
        unknown = RAISE


class PlacementInputSchema(_Input):
    pupil_id = fields.Integer(required=True)
    provider_id = fields.Integer(required=True)
    provider_site_id = fields.Integer(load_default=None, allow_none=True)
    start_date = fields.Date(required=True)
    planned_end_date = fields.Date(load_default=None, allow_none=True)
    arranged_by = fields.String(required=True, validate=validate.OneOf([a.value for a in ArrangedBy]))
    is_off_site_direction = fields.Boolean(load_default=False)
    online_justification = fields.String(load_default=None, allow_none=True)


class AgreementInputSchema(_Input):
    """The whole agreement (7.11): a field left out or null is blank; the readiness list says what is missing."""

    aims_and_outcomes = fields.String(load_default=None, allow_none=True)
    curriculum_and_qualifications = fields.String(load_default=None, allow_none=True)
    personal_development = fields.String(load_default=None, allow_none=True)
    careers_guidance = fields.String(load_default=None, allow_none=True)
    induction = fields.String(load_default=None, allow_none=True)
    pastoral_arrangements = fields.String(load_default=None, allow_none=True)
    attendance_arrangements = fields.String(load_default=None, allow_none=True)
    safeguarding_arrangements = fields.String(load_default=None, allow_none=True)
    free_school_meals_arrangements = fields.String(load_default=None, allow_none=True)
    exam_arrangements = fields.String(load_default=None, allow_none=True)
    communication_arrangements = fields.String(load_default=None, allow_none=True)
    cost_amount = fields.Decimal(load_default=None, allow_none=True, as_string=True,
                                 metadata={"description": "Pounds, e.g. \"45.00\" (0 to 99,999,999.99)"})
    cost_unit = fields.String(load_default=None, allow_none=True, validate=validate.OneOf([u.value for u in CostUnit]))
    review_arrangements = fields.String(load_default=None, allow_none=True)
    review_every_weeks = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 52))
    qa_visit_every_weeks = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 52))
    agreed_on = fields.Date(load_default=None, allow_none=True)


class SessionInputSchema(_Input):
    weekday = fields.Integer(required=True, validate=validate.Range(0, 4), metadata={"description": "0 = Monday"})
    session = fields.String(required=True, validate=validate.OneOf(["am", "pm"]))
    starts_at = fields.Time(required=True, format="%H:%M")
    ends_at = fields.Time(required=True, format="%H:%M")


class WeeklyPatternInputSchema(_Input):
    sessions = fields.List(fields.Nested(SessionInputSchema), required=True, validate=validate.Length(max=10))


class KeyInformationInputSchema(_Input):
    shared_on = fields.Date(required=True)
    note = fields.String(required=True, metadata={"description": "What was shared and how (SEN included)"})


class EndInputSchema(_Input):
    ended_on = fields.Date(required=True)
    progress = fields.String(load_default=None, allow_none=True)
    achievements = fields.String(load_default=None, allow_none=True)
    destination = fields.String(load_default=None, allow_none=True)
    pupil_assessment = fields.String(load_default=None, allow_none=True)


class DirectionInputSchema(_Input):
    reasons_and_objectives = fields.String(required=True)
    review_on = fields.Date(required=True, metadata={"description": "When the direction is reviewed (6.2)"})
    ends_by = fields.Date(required=True)
    report_to = fields.String(load_default=None, allow_none=True)


class ApprovalInputSchema(_Input):
    approved_on = fields.Date(required=True)
    reference = fields.String(load_default=None, allow_none=True)


class LetterSentInputSchema(_Input):
    sent_on = fields.Date(required=True)


def _refused(errors: dict[str, str]):
    raise ValidationError({name if "-" not in name else f"sessions.{name}": [message]
                           for name, message in errors.items()})


def _for_write(placement_id: int):
    """The placement, if the If-Match sent matches what it is now."""
    placement = service.access_placement(placement_id)
    check_if_match(PlacementDetailSchema().dump(placement))
    return placement


def _answer(result, placement=None, status: int = 200):
    """The placement as it is now (the one written, or the one a create made), with its new ETag."""
    if not result.ok:
        _refused(result.errors)
    return tagged(PlacementDetailSchema().dump(placement or result.record), status)


@bp.post("/schools/<school_slug>/placements")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=PlacementInputSchema, response=PlacementDetailSchema,
           status=201, etag=True)
def create_placement(school_slug: str):
    """Plan a placement (7.1-7.9: the provider must allow new placements)."""
    return _answer(service.create_placement(PlacementInput(**parse_body()), by=g.api_user), status=201)


@bp.put("/schools/<school_slug>/placements/<int:placement_id>/agreement")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=AgreementInputSchema, response=PlacementDetailSchema,
           etag=True)
def save_agreement(school_slug: str, placement_id: int):
    """Write the commissioning agreement (7.11)."""
    placement = _for_write(placement_id)
    return _answer(service.save_agreement(placement, parse_body()), placement)


@bp.put("/schools/<school_slug>/placements/<int:placement_id>/weekly-pattern")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=WeeklyPatternInputSchema, response=PlacementDetailSchema,
           etag=True)
def set_weekly_pattern(school_slug: str, placement_id: int):
    """The sessions of the week at the provision (refusals name `sessions.<weekday>-<am|pm>`)."""
    placement = _for_write(placement_id)
    sessions = [SessionInput(**s) for s in parse_body()["sessions"]]
    return _answer(service.set_weekly_pattern(placement, sessions), placement)


@bp.put("/schools/<school_slug>/placements/<int:placement_id>/key-information")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=KeyInformationInputSchema,
           response=PlacementDetailSchema, etag=True)
def record_key_information(school_slug: str, placement_id: int):
    """Key information shared with the provider before the start (7.10)."""
    placement = _for_write(placement_id)
    values = parse_body()
    return _answer(service.record_key_information(placement, values["shared_on"], values["note"], by=g.api_user),
                   placement)


@bp.post("/schools/<school_slug>/placements/<int:placement_id>/start")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, response=PlacementDetailSchema, etag=True)
def start_placement(school_slug: str, placement_id: int):
    """Start a planned placement once nothing is missing (refused naming `readiness`); an off-site one tells the
    local authority (7.12)."""
    placement = _for_write(placement_id)
    result = service.start_placement(placement, g.api_user)
    if result.missing:
        raise ApiError(400, "The placement cannot start yet: see the fields.",
                       {"readiness": [f"{m.line} ({m.section})" for m in result.missing]})
    if not result.ok:
        _refused(result.errors)
    return tagged(PlacementDetailSchema().dump(placement))


@bp.post("/schools/<school_slug>/placements/<int:placement_id>/end")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=EndInputSchema, response=PlacementDetailSchema,
           etag=True)
def end_placement(school_slug: str, placement_id: int):
    """End an active placement with its outcome."""
    placement = _for_write(placement_id)
    return _answer(service.end_placement(placement, g.api_user, EndInput(**parse_body())), placement)


@bp.put("/schools/<school_slug>/placements/<int:placement_id>/off-site-direction")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=DirectionInputSchema, response=OffSiteDirectionSchema,
           etag=True)
def save_direction(school_slug: str, placement_id: int):
    """The off-site direction's reasons and objectives, its review date and the latest it may run to (6.1, 6.2)."""
    placement = _for_write(placement_id)
    result = service.save_direction(placement, DirectionInput(**parse_body()))
    if not result.ok:
        _refused(result.errors)
    return tagged(OffSiteDirectionSchema().dump(result.record))


def _direction_for_write(direction_id: int):
    record = service.access_direction(direction_id)
    check_if_match(OffSiteDirectionSchema().dump(record))
    return record


@bp.post("/schools/<school_slug>/off-site-directions/<int:direction_id>/approval")
@api_route(permission=Permission.DIRECTION_APPROVE, body=ApprovalInputSchema, response=OffSiteDirectionSchema,
           etag=True)
def approve_direction(school_slug: str, direction_id: int):
    """The governing body's approval (6.4), before the direction starts."""
    record = _direction_for_write(direction_id)
    values = parse_body()
    result = service.record_direction_approval(record, values["approved_on"], values["reference"], by=g.api_user)
    if not result.ok:
        _refused(result.errors)
    return tagged(OffSiteDirectionSchema().dump(record))


@bp.post("/schools/<school_slug>/off-site-directions/<int:direction_id>/letter-sent")
@api_route(permission=Permission.PLACEMENTS_COMMISSION, body=LetterSentInputSchema, response=OffSiteDirectionSchema,
           etag=True)
def direction_letter_sent(school_slug: str, direction_id: int):
    """The letter to parents about the direction, sent (6.3)."""
    record = _direction_for_write(direction_id)
    result = service.record_letter_sent(record, parse_body()["sent_on"], by=g.api_user)
    if not result.ok:
        _refused(result.errors)
    return tagged(OffSiteDirectionSchema().dump(record))
