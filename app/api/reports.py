"""API: the headteacher's reports on the use of AP (issue 16; policy 4.1, 4.2): the school's reports and one report's
figures, and the figures for any date range. The same service as the page and the PDF (app.services.ap_report).
Aggregates only: no pupil is named. Governors see presented reports only."""
from __future__ import annotations

import datetime as dt

from flask import g, jsonify
from marshmallow import ValidationError, fields, validates_schema

from app import clock
from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.extensions import db
from app.models.oversight import HeadteacherReport
from app.permissions import Permission, permissions_for_school_roles, user_school_roles
from app.services import ap_report as service


class ReportSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    presented_on = fields.Date(allow_none=True)
    presented_meeting = fields.String(allow_none=True)
    sent_to_trust_at = fields.DateTime(allow_none=True)


class FiguresQuerySchema(Schema):
    from_ = fields.Date(load_default=None, data_key="from", metadata={"description": "default: 90 days before 'to'"})
    to = fields.Date(load_default=None, metadata={"description": "default: today"})
    label = fields.String(load_default=None)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("to") and data.get("from_") and data["to"] < data["from_"]:
            raise ValidationError("must be on or after 'from'", "to")


def _drafts_visible() -> bool:
    roles = user_school_roles(g.api_user, g.school.id)
    return Permission.REPORTS_DRAFTS_VIEW in permissions_for_school_roles(roles)


@bp.get("/schools/<school_slug>/reports")
@api_route(permission=Permission.REPORTS_VIEW)
def reports(school_slug: str):
    rows = service.reports() if _drafts_visible() else service.presented_reports()
    return jsonify({"items": ReportSchema(many=True).dump(rows)})


@bp.get("/schools/<school_slug>/reports/<int:report_id>")
@api_route(permission=Permission.REPORTS_VIEW)
def report(school_slug: str, report_id: int):
    """One report with its figures, compared with the periods before."""
    row = db.session.get(HeadteacherReport, report_id)  # scoped: another school's report is not found
    if row is None or row.archived_at is not None or (row.presented_on is None and not _drafts_visible()):
        raise ApiError(404, "No such report.")
    data = service.report_data(g.school, row.label, row.first_day, row.last_day)
    return jsonify({**ReportSchema().dump(row), "figures": data.as_json()})


@bp.get("/schools/<school_slug>/report-figures")
@api_route(permission=Permission.REPORTS_DRAFTS_VIEW)
def report_figures(school_slug: str):
    """The report's figures for any date range, compared with the two ranges of the same length before it."""
    try:
        query = parse_query(FiguresQuerySchema())
    except ValidationError as exc:
        raise ApiError(400, "Bad query.", fields=exc.messages) from None
    last = query["to"] or clock.today()
    first = query["from_"] or last - dt.timedelta(days=90)
    if last < first:
        raise ApiError(400, "Bad query.", fields={"from": ["must be on or before 'to'"]})
    data = service.report_data(g.school, query["label"] or f"{first} to {last}", first, last)
    return jsonify(data.as_json())


def openapi_paths(spec, ok, error) -> None:
    """The report resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("HeadteacherReport", schema=ReportSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {"401": error, "403": error, "404": error}
    figures = {"type": "object", "description": "periods (oldest first, the report's own last) and sections, each "
               "with rows of values per period and breakdowns; money as strings"}
    spec.path("/api/v1/schools/{school_slug}/reports", operations={"get": {
        "summary": "The school's headteacher's reports on the use of AP (governors: presented ones)",
        "security": secured, "parameters": [slug],
        "responses": {"200": ok({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/HeadteacherReport"}}}}), **errors}}})
    spec.path("/api/v1/schools/{school_slug}/reports/{report_id}", operations={"get": {
        "summary": "One report with its figures", "security": secured,
        "parameters": [slug, {"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": ok({"allOf": [{"$ref": "#/components/schemas/HeadteacherReport"},
                                           {"type": "object", "properties": {"figures": figures}}]}), **errors}}})
    spec.path("/api/v1/schools/{school_slug}/report-figures", operations={"get": {
        "summary": "The report's figures for any date range", "security": secured,
        "parameters": [slug, *[{"name": n, "in": "query", "required": r, "schema": {"type": "string",
                                                                                   "format": f} if f else
                                {"type": "string"}} for n, r, f in (("from", False, "date"), ("to", False, "date"),
                                                                      ("label", False, None))]],
        "responses": {"200": ok(figures), "400": error, **errors}}})
