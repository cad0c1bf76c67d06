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
from app.api.paging import page
from app.api.routes import bp
from app.permissions import Permission, permissions_for_school_roles, user_school_roles
from app.services import ap_report as service
from app.services.trust_report import trust_report as build_trust_report
from tenants import trust_scope


class HeadteacherReportSchema(Schema):
    id = fields.Integer()
    label = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    presented_on = fields.Date(allow_none=True)
    presented_meeting = fields.String(allow_none=True)
    sent_to_trust_at = fields.DateTime(allow_none=True)


class PeriodSchema(Schema):
    label = fields.String()
    first_day = fields.String(metadata={"format": "date"})
    last_day = fields.String(metadata={"format": "date"})


class FigureRowSchema(Schema):
    label = fields.String()
    kind = fields.String()
    values = fields.List(fields.Raw(allow_none=True), metadata={"description": "One a period; money as strings"})


class BreakdownSchema(Schema):
    caption = fields.String()
    headers = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw(allow_none=True)))


class SectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    policy = fields.String(allow_none=True)
    not_recorded = fields.Raw(allow_none=True)
    rows = fields.List(fields.Nested(FigureRowSchema))
    breakdowns = fields.List(fields.Nested(BreakdownSchema))


class FiguresSchema(Schema):
    """The report's figures: periods (oldest first, the report's own last) and sections, each with rows of values
    per period and breakdowns; money as strings."""

    school = fields.String()
    label = fields.String()
    periods = fields.List(fields.Nested(PeriodSchema))
    sections = fields.List(fields.Nested(SectionSchema))


class HeadteacherReportDetailSchema(HeadteacherReportSchema):
    figures = fields.Nested(FiguresSchema)


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
@api_route(permission=Permission.REPORTS_VIEW, response=HeadteacherReportSchema, many=True)
def reports(school_slug: str):
    rows = service.reports() if _drafts_visible() else service.presented_reports()
    return page(rows, HeadteacherReportSchema(many=True))


@bp.get("/schools/<school_slug>/reports/<int:report_id>")
@api_route(permission=Permission.REPORTS_VIEW, response=HeadteacherReportDetailSchema)
def report(school_slug: str, report_id: int):
    """One report with its figures, compared with the periods before."""
    row = service.access_report(report_id)  # another school's report is not found
    if row.presented_on is None and not _drafts_visible():
        raise ApiError(404, "No such report.")
    data = service.report_data(g.school, row.label, row.first_day, row.last_day)
    return jsonify({**HeadteacherReportSchema().dump(row), "figures": FiguresSchema().dump(data.as_json())})


@bp.get("/schools/<school_slug>/report-figures")
@api_route(permission=Permission.REPORTS_DRAFTS_VIEW, response=FiguresSchema, query=FiguresQuerySchema)
def report_figures(school_slug: str):
    """The report's figures for any date range, compared with the two ranges of the same length before it."""
    try:
        query = parse_query()
    except ValidationError as exc:
        raise ApiError(400, "Bad query.", fields=exc.messages) from None
    first, last = _period_of(query)
    data = service.report_data(g.school, query["label"] or f"{first} to {last}", first, last)
    return jsonify(FiguresSchema().dump(data.as_json()))


def _period_of(query) -> tuple[dt.date, dt.date]:
    """The period asked for, held to the rule a report's period keeps on the page (app.services.ap_report)."""
    last = query["to"] or clock.today()
    first = query["from_"] or last - dt.timedelta(days=90)
    errors = service.period_errors(first, last, clock.today())
    if errors:
        names = {"first_day": "from", "last_day": "to"}
        raise ApiError(400, "Bad query.", fields={names[name]: [message] for name, message in errors.items()})
    return first, last


@bp.get("/trust/report-figures")
@api_route(permission=Permission.TRUST_REPORTS_VIEW, response=TrustFiguresSchema, query=FiguresQuerySchema)
def trust_report_figures():
    """4.2: every school's figures for one period side by side, with the trust's total (the trust report)."""
    try:
        query = parse_query()
    except ValidationError as exc:
        raise ApiError(400, "Bad query.", fields=exc.messages) from None
    first, last = _period_of(query)
    label = query["label"] or f"{first} to {last}"
    with trust_scope(g.api_user.id, f"API trust report figures: {label}"):
        report = build_trust_report(label, first, last)
        return jsonify(TrustFiguresSchema().dump(report))
