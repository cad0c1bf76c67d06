"""API: a school's part-time timetables (issue 15; policy 9.3-9.7): list, propose, one, the headteacher's approval,
reviews, and the LA return as JSON (the same rows as the page's CSV). The same services and rules as the pages;
refusals are 400 naming the field. Schemas live here; each route declares its contract (the document is generated).
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.models.part_time import PartTimeTimetable
from app.permissions import Permission
from app.policy.part_time_timetables import REASON_CATEGORIES, Arrangement, ReviewDecision
from app.services import part_time_notices as notices
from app.services import part_time_timetables as service


class SessionSchema(Schema):
    class Meta:
        unknown = RAISE

    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=4),
                             metadata={"description": "0 = Monday ... 4 = Friday"})
    session = fields.String(required=True, validate=validate.OneOf(["am", "pm"]))
    arrangement = fields.String(required=True, validate=validate.OneOf([a.value for a in Arrangement]))
    placement_id = fields.Integer(allow_none=True, load_default=None)
    starts_at = fields.Time(format="%H:%M", allow_none=True, load_default=None)
    ends_at = fields.Time(format="%H:%M", allow_none=True, load_default=None)


class SessionOutSchema(Schema):
    weekday = fields.Integer()
    session = fields.String(attribute="session.value")
    arrangement = fields.String(attribute="arrangement.value")
    placement_id = fields.Integer(allow_none=True)
    starts_at = fields.Time(format="%H:%M")
    ends_at = fields.Time(format="%H:%M")


class ReviewSchema(Schema):
    id = fields.Integer()
    held_on = fields.Date()
    pupil_views = fields.String()
    parent_views = fields.String()
    decision = fields.String(attribute="decision.value")
    changes = fields.String(allow_none=True)
    extended_to = fields.Date(allow_none=True)
    extension_reasons = fields.String(allow_none=True)


class TimetableSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    status = fields.String(attribute="status.value", metadata={"description": "proposed, active or ended"})
    reason_category = fields.String()
    reason_details = fields.String()
    support_plan = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    original_end_date = fields.Date()
    ended_on = fields.Date(allow_none=True)
    review_dates = fields.List(fields.String())
    parent_agreed_on = fields.Date(attribute="agreed_on", allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)
    hours_in_education = fields.Function(lambda t: service.week(t).hours_in_education)
    full_time_hours = fields.Function(lambda t: service.week(t).full_time_hours, allow_none=True)
    missing_before_approval = fields.Function(
        lambda t: service.missing_before_approval(t) if t.status.value == "proposed" else [])
    sessions = fields.List(fields.Nested(SessionOutSchema))
    reviews = fields.List(fields.Nested(ReviewSchema))


class TimetableInputSchema(Schema):
    class Meta:
        unknown = RAISE

    pupil_id = fields.Integer(required=True)
    reason_category = fields.String(required=True, metadata={"description": ", ".join(REASON_CATEGORIES)})
    reason_details = fields.String(required=True)
    support_plan = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, load_default=None,
                           metadata={"description": "Required: the planned return to full time (9.6)"})
    review_dates = fields.List(fields.Date(), allow_none=True, load_default=None)
    welfare_contact_id = fields.Integer(allow_none=True, load_default=None)
    sessions = fields.List(fields.Nested(SessionSchema), required=True)


class ReviewInputSchema(Schema):
    class Meta:
        unknown = RAISE

    held_on = fields.Date(required=True)
    pupil_views = fields.String(required=True)
    parent_views = fields.String(required=True)
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in ReviewDecision]))
    changes = fields.String(allow_none=True, load_default=None)
    extended_to = fields.Date(allow_none=True, load_default=None)
    extension_reasons = fields.String(allow_none=True, load_default=None)


class LaReturnRowSchema(Schema):
    """One row of the LA return (9.7), as the page's CSV has it."""

    upn = fields.String()
    last_name = fields.String()
    first_name = fields.String()
    year_group = fields.Integer()
    responsible_la = fields.String()
    reason_category = fields.String()
    start_date = fields.String(metadata={"format": "date"})
    end_date = fields.String(metadata={"format": "date"})
    hours_a_week = fields.Float()
    full_time_hours = fields.Float()
    status = fields.String()
    approved_on = fields.String(allow_none=True, metadata={"format": "date"})
    reviews_held = fields.Integer()


def _timetable(timetable_id: int) -> PartTimeTimetable:
    return service.access_timetable(timetable_id)  # another school's is not found


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.")
    return body


def _refused(errors: dict[str, str]):
    raise ValidationError({name: [message] for name, message in errors.items()})


@bp.get("/schools/<school_slug>/part-time-timetables")
@api_route(permission=Permission.PART_TIME_VIEW, response=TimetableSchema, many=True)
def part_time_timetables(school_slug: str):
    """The school's part-time timetables, most recent start first."""
    return page(service.timetables(), TimetableSchema(many=True))


@bp.post("/schools/<school_slug>/part-time-timetables")
@api_route(permission=Permission.PART_TIME_PROPOSE, body=TimetableInputSchema, response=TimetableSchema, status=201)
def propose_part_time_timetable(school_slug: str):
    """Propose a part-time timetable (9.5): not in force until agreed and approved by the headteacher."""
    values = TimetableInputSchema().load(_body())
    values["sessions"] = [service.SessionInput(**s) for s in values["sessions"]]
    result = service.propose(service.ProposalInput(**values), g.api_user)
    if not result.ok:
        _refused(result.errors)
    return jsonify(TimetableSchema().dump(result.record)), 201


@bp.get("/schools/<school_slug>/part-time-timetables/<int:timetable_id>")
@api_route(permission=Permission.PART_TIME_VIEW, response=TimetableSchema)
def part_time_timetable(school_slug: str, timetable_id: int):
    return jsonify(TimetableSchema().dump(_timetable(timetable_id)))


@bp.post("/schools/<school_slug>/part-time-timetables/<int:timetable_id>/approval")
@api_route(permission=Permission.PART_TIME_APPROVE, response=TimetableSchema)
def approve_part_time_timetable(school_slug: str, timetable_id: int):
    """The headteacher's approval (9.5); refused naming what is missing (field `approval`)."""
    timetable = _timetable(timetable_id)
    result = service.approve(timetable, g.api_user)
    if not result.ok:
        _refused(result.errors)
    return jsonify(TimetableSchema().dump(result.record))


@bp.post("/schools/<school_slug>/part-time-timetables/<int:timetable_id>/reviews")
@api_route(permission=Permission.PART_TIME_RECORD, body=ReviewInputSchema, response=ReviewSchema, status=201)
def review_part_time_timetable(school_slug: str, timetable_id: int):
    """A review (9.6); an extension only here, with reasons."""
    timetable = _timetable(timetable_id)
    values = ReviewInputSchema().load(_body())
    result = service.record_review(timetable, service.ReviewInput(**values), g.api_user)
    if not result.ok:
        _refused(result.errors)
    return jsonify(ReviewSchema().dump(result.record)), 201


@bp.get("/schools/<school_slug>/part-time-timetables/la-return")
@api_route(permission=Permission.PART_TIME_VIEW, response=LaReturnRowSchema, many=True)
def part_time_la_return(school_slug: str):
    """The LA return of current timetables (9.7): the same rows as the page's CSV."""
    rows = notices.return_rows(notices.current_timetables())
    return page(rows, LaReturnRowSchema(many=True), key=lambda row: (row["upn"], row["start_date"]))
