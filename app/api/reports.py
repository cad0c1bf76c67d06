"""API: the headteacher's reports on the use of AP (issue 16; policy 4.1, 4.2): the school's reports and one report's
figures, and the figures for any date range. The same service as the page and the PDF (app.services.ap_report).
Aggregates only: no pupil is named. Governors see presented reports only."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from app.services.trust_report import trust_report as build_trust_report
from tenants import trust_scope


class ReportSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    presented_on = fields.Date(allow_none=True)
    presented_meeting = fields.String(allow_none=True)
    sent_to_trust_at = fields.DateTime(allow_none=True)


class Figure(fields.Field):
    """A figure: a number, null (not known), or money as a string of pounds and pence."""

    def _serialize(self, value, attr, obj, **kwargs):
        return str(value) if isinstance(value, Decimal) else value


class PeriodSchema(Schema):
    label = fields.String(attribute="key")
    first_day = fields.Date()
    last_day = fields.Date()


class RowSchema(Schema):
    label = fields.String()
    kind = fields.String(metadata={"description": "count, percent or money"})
    values = fields.List(Figure(), metadata={"description": "one per period, oldest first"})


class BreakdownSchema(Schema):
    caption = fields.String()
    headers = fields.List(fields.String())
    rows = fields.List(fields.List(Figure()))


class SectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    policy = fields.String()
    not_recorded = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(RowSchema))
    breakdowns = fields.List(fields.Nested(BreakdownSchema))


class FiguresSchema(Schema):
    """The report's figures (app.services.ap_report.ReportData): the periods, oldest first (the report's own last),
    and the sections. Aggregates only."""

    school = fields.String(attribute="school.slug")
    label = fields.String()
    periods = fields.List(fields.Nested(PeriodSchema))
    sections = fields.List(fields.Nested(SectionSchema))


class TrustSchoolRowSchema(Schema):
    school = fields.Function(lambda row: row[0], metadata={"description": "a school's name, or 'The trust'"})
    values = fields.Function(lambda row: [str(v) if isinstance(v, Decimal) else v for v in row[1]],
                             metadata={"description": "one per row label, in order"})


class TrustSectionSchema(Schema):
    key = fields.Function(lambda pair: pair[0].key)
    title = fields.Function(lambda pair: pair[0].title)
    policy = fields.Function(lambda pair: pair[0].policy)
    not_recorded = fields.Function(lambda pair: pair[0].not_recorded)
    row_labels = fields.Function(lambda pair: [r.label for r in pair[0].rows])
    schools = fields.Function(lambda pair: TrustSchoolRowSchema(many=True).dump(pair[1]))


class TrustFiguresSchema(Schema):
    """The trust report (app.services.trust_report): every school's figures for one period, and the trust's."""

    label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    sections = fields.List(fields.Nested(TrustSectionSchema))


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
    return jsonify({**ReportSchema().dump(row), "figures": FiguresSchema().dump(data)})


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
    return jsonify(FiguresSchema().dump(data))


def _period_of(query) -> tuple[dt.date, dt.date]:
    last = query["to"] or clock.today()
    first = query["from_"] or last - dt.timedelta(days=90)
    if last < first:
        raise ApiError(400, "Bad query.", fields={"from": ["must be on or before 'to'"]})
    if (last - first).days > service.MAX_RANGE_DAYS:
        raise ApiError(400, "Bad query.", fields={"from": ["a period is at most a school year"]})
    return first, last


@bp.get("/trust/report-figures")
@api_route(permission=Permission.TRUST_REPORTS_VIEW)
def trust_report_figures():
    """4.2: every school's figures for one period side by side, with the trust's total (the trust report)."""
    try:
        query = parse_query(FiguresQuerySchema())
    except ValidationError as exc:
        raise ApiError(400, "Bad query.", fields=exc.messages) from None
    first, last = _period_of(query)
    label = query["label"] or f"{first} to {last}"
    with trust_scope(g.api_user.id, f"API trust report figures: {label}"):
        report = build_trust_report(label, first, last)
        return jsonify(TrustFiguresSchema().dump(report))


def openapi_paths(spec, ok, error) -> None:
    """The report resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("HeadteacherReport", schema=ReportSchema)
    spec.components.schema("ReportFigures", schema=FiguresSchema)
    spec.components.schema("TrustReportFigures", schema=TrustFiguresSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    errors = {"401": error, "403": error, "404": error}
    figures = {"$ref": "#/components/schemas/ReportFigures"}
    query = [{"name": n, "in": "query", "required": False, "schema": {"type": "string", "format": f} if f else
              {"type": "string"}} for n, f in (("from", "date"), ("to", "date"), ("label", None))]
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
        "parameters": [slug, *query], "responses": {"200": ok(figures), "400": error, **errors}}})
    spec.path("/api/v1/trust/report-figures", operations={"get": {
        "summary": "The trust report: every school's figures for one period, and the trust's", "security": secured,
        "parameters": query, "responses": {"200": ok({"$ref": "#/components/schemas/TrustReportFigures"}),
                                           "400": error, "401": error, "403": error}}})
