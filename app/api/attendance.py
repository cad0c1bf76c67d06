"""API: a school's expected sessions and attendance records (issue 6 item 8), and confirming a session.

The same services as the today page: the day's sessions are made on asking (app.services.attendance_today.make_day),
a confirmation goes through app.services.attendance.confirm_session (register code, welfare check, tasks).
Schemas live here, beside the resource; each route declares its contract (the document is generated).
"""
from __future__ import annotations

import datetime as dt

from flask import g, jsonify
from marshmallow import ValidationError, fields, validate, validates_schema

from app import clock
from app.api.auth import ApiError, api_route, parse_body, parse_query
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.permissions import Permission
from app.policy.attendance import ABSENCE_REASON_CODES, Outcome
from app.services import attendance_today as service
from app.services import pupils
from app.services.attendance import Confirmation
from app.services.calendar import calendar_for_school


class AttendanceSessionSchema(Schema):
    id = fields.Integer()
    placement_id = fields.Integer(allow_none=True, metadata={"description": "null: a part-time timetable's session"})
    pupil_id = fields.Integer()
    provider_id = fields.Integer(allow_none=True)
    provider_name = fields.Function(lambda s: s.provider.name if s.provider else None, allow_none=True)
    part_time_timetable_id = fields.Integer(allow_none=True, metadata={"description": "C2: the part-time timetable"})
    day = fields.Date()
    session = fields.String(attribute="session.value", metadata={"description": "am or pm"})
    kind = fields.String(attribute="kind.value")
    starts_at = fields.Time(format="%H:%M")
    ends_at = fields.Time(format="%H:%M")
    cutoff_at = fields.AwareDateTime(metadata={"description": "The school's cut-off for confirming it"})
    status = fields.Function(service.status_of, metadata={"description": "confirmed, unconfirmed, or the kind"})
    register_code = fields.Function(service.code_of, allow_none=True,
                                    metadata={"description": "Empty while an expected session is unconfirmed"})
    outcome = fields.Function(lambda s: s.outcome.value if s.outcome else None, allow_none=True)
    minutes_late = fields.Integer(allow_none=True)
    absence_reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    confirmed_by_id = fields.Integer(allow_none=True)
    confirmed_via = fields.Function(lambda s: s.confirmed_via.value if s.confirmed_via else None, allow_none=True)


class SessionsQuerySchema(Schema):
    """GET .../attendance/sessions: ?day= (today when not given) or ?from=&to=, and optionally ?pupil_id=."""

    day = fields.Date()
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    pupil_id = fields.Integer(validate=validate.Range(min=1))

    @validates_schema
    def _one_way_of_saying_when(self, data, **_kwargs):
        if "day" in data and ("from_" in data or "to" in data):
            raise ValidationError("Give either day, or from and to.", "day")


class ConfirmationSchema(Schema):
    """POST .../confirmation: an allow-list; unknown fields are refused."""

    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in Outcome]))
    via = fields.String(required=True, validate=validate.OneOf([value for value, _label in service.VIA_CHOICES]))
    minutes_late = fields.Integer(allow_none=True)
    absence_reason = fields.String(allow_none=True, validate=validate.OneOf(sorted(ABSENCE_REASON_CODES)))
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


RANGE = {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}


def _when(query: dict) -> tuple[dt.date, dt.date]:
    today = clock.today()
    if "from_" in query or "to" in query:
        first = query.get("from_", query.get("to"))
        last = query.get("to", first)
    else:
        first = last = query.get("day", today)
    problem = service.export_problem(first, last)
    if problem:
        raise ApiError(400, "The request is not valid: see the fields.", {"to": [problem]})
    return first, last


@bp.get("/schools/<school_slug>/attendance/sessions")
@api_route(permission=Permission.ATTENDANCE_VIEW, response=AttendanceSessionSchema, many=True, query=SessionsQuerySchema, envelope=RANGE)
def attendance_sessions(school_slug: str):
    """The expected sessions and their records of a day (today when not given) or a date range, made first for
    each school day up to today; one pupil's with pupil_id."""
    query = parse_query()
    first, last = _when(query)
    pupil_id = query.get("pupil_id")
    if pupil_id is not None:
        pupils.access_pupil(pupil_id)  # another school's pupil is not found
    rows = service.export_sessions(calendar_for_school(g.school.id), first, last, g.school, pupil_id)
    return page(rows, AttendanceSessionSchema(many=True), **{"from": first.isoformat(), "to": last.isoformat()})


@bp.get("/schools/<school_slug>/attendance/sessions/<int:attendance_session_id>")
@api_route(permission=Permission.ATTENDANCE_VIEW, response=AttendanceSessionSchema)
def attendance_session(school_slug: str, attendance_session_id: int):
    return jsonify(AttendanceSessionSchema().dump(service.access_session_of_day(attendance_session_id)))


@bp.post("/schools/<school_slug>/attendance/sessions/<int:attendance_session_id>/confirmation")
@api_route(permission=Permission.ATTENDANCE_RECORD, body=ConfirmationSchema, response=AttendanceSessionSchema)
def confirm_attendance(school_slug: str, attendance_session_id: int):
    """Record what happened (policy 4.5): the register code follows; a correction replaces the earlier mark (the
    audit trail keeps it); an absence with no reason raises the DSL's welfare check."""
    session = service.access_session_of_day(attendance_session_id)
    data = parse_body()
    result = service.record_confirmation(session, Confirmation(**data), g.api_user.id)
    if not result.ok:
        raise ApiError(400, "The request is not valid: see the fields.", {k: [v] for k, v in result.errors.items()})
    return jsonify(AttendanceSessionSchema().dump(session))
