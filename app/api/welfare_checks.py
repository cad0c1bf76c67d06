"""API: a school's welfare checks (issue 6 items 6, 8; KCSIE; policy 4.4, 4.5): the list (open first, then the
recently recorded) and one check. Read-only: a check is recorded on its page, where the missing-child steps are
shown. Schemas live here, beside the resource; each route declares its contract (the document is generated).
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import fields

from app.api.auth import api_route, api_school_permissions, parse_query
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.permissions import Permission
from app.services import read_audit
from app.services import welfare_records as service


class WelfareCheckSchema(Schema):
    id = fields.Integer()
    pupil_id = fields.Integer()
    attendance_session_id = fields.Integer(allow_none=True, metadata={"description": "null: raised by hand"})
    reason = fields.Function(lambda c: c.reason.value if c.reason else None, allow_none=True,
                             metadata={"description": "unconfirmed | absent_without_reason; null: raised by hand"})
    raised_at = fields.DateTime()
    method = fields.Function(lambda c: c.method.value if c.method else None, allow_none=True,
                             metadata={"description": "call | online_meeting | home_visit"})
    outcome = fields.Function(lambda c: c.outcome.value if c.outcome else None, allow_none=True,
                              metadata={"description": "seen_and_safe | reason_obtained | not_located"})
    notes = fields.String(allow_none=True)
    checked_at = fields.DateTime(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by_id = fields.Integer(allow_none=True)
    missing_procedure_started_at = fields.DateTime(allow_none=True)
    trust_told_at = fields.DateTime(allow_none=True)
    is_open = fields.Function(lambda c: c.recorded_at is None or service.still_missing(c),
                              metadata={"description": "Not yet recorded, or the pupil not yet located"})


class WelfareChecksQuerySchema(Schema):
    open = fields.Boolean(metadata={"description": "true: only the checks not yet recorded"})


@bp.get("/schools/<school_slug>/welfare-checks")
@api_route(permission=Permission.WELFARE_CHECKS_VIEW, response=WelfareCheckSchema, many=True, query=WelfareChecksQuerySchema)
def welfare_checks(school_slug: str):
    """The school's open welfare checks (oldest first), then the latest recorded ones (newest first)."""
    query = parse_query(WelfareChecksQuerySchema())
    open_checks, recent = service.open_and_recent()
    rows = open_checks if query.get("open") else [*open_checks, *recent]
    return page(rows, _schema(many=True))


@bp.get("/schools/<school_slug>/welfare-checks/<int:welfare_check_id>")
@api_route(permission=Permission.WELFARE_CHECKS_VIEW, response=WelfareCheckSchema)
def welfare_check(school_slug: str, welfare_check_id: int):
    check = service.access_check(welfare_check_id)
    body = _schema().dump(check)
    read_audit.record_read("WelfareCheck", check.id, check.pupil_id, g.api_user.id, check.school_id)
    return jsonify(body)


def _schema(many: bool = False) -> WelfareCheckSchema:
    """Notes only for the roles that may see a check's detail (issue 13 item 3); the rest get its status."""
    detail = Permission.WELFARE_CHECK_DETAILS_VIEW in api_school_permissions()
    return WelfareCheckSchema(many=many, exclude=() if detail else ("notes",))
