"""API: the school census's AP placements rows (issue 16 item 7): for a census period, each placement the school
arranged in the DfE module's items, with what is missing per row and whether the return is complete. The same
service as the page and its CSV (app.services.census). Named pupils: the headteacher and the AP leader only."""
from __future__ import annotations

import datetime as dt

from flask import jsonify
from marshmallow import ValidationError, fields

from app import clock
from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.permissions import Permission
from app.services import census as service


class CensusQuerySchema(Schema):
    from_ = fields.Date(load_default=None, data_key="from", metadata={"description": "default: 90 days before 'to'"})
    to = fields.Date(load_default=None, metadata={"description": "census day; default: today"})


class CensusMissingSchema(Schema):
    item = fields.String(metadata={"description": "provider, reason or sessions"})
    message = fields.String()


class CensusRowSchema(Schema):
    placement_id = fields.Integer()
    upn = fields.String(attribute="pupil.upn")
    surname = fields.String(attribute="pupil.last_name")
    forename = fields.String(attribute="pupil.first_name")
    date_of_birth = fields.Date(attribute="pupil.date_of_birth")
    urn = fields.String(metadata={"description": "the provider's URN; empty when it has none"})
    ukprn = fields.String(metadata={"description": "when the provider has no URN"})
    ap_setting_type = fields.String(attribute="setting_type", metadata={"description": "when it has neither"})
    entry_date = fields.Date()
    leaving_date = fields.Date(allow_none=True)
    primary_reason = fields.String(attribute="reason", allow_none=True)
    sessions_per_week = fields.Integer()
    missing = fields.List(fields.Nested(CensusMissingSchema))


class CensusReturnSchema(Schema):
    first_day = fields.Date()
    last_day = fields.Date()
    ready = fields.Boolean(metadata={"description": "true when no row misses anything (the CSV is given)"})
    missing_count = fields.Integer()
    items = fields.List(fields.Nested(CensusRowSchema), attribute="rows")


@bp.get("/schools/<school_slug>/census/ap-placements")
@api_route(permission=Permission.CENSUS_VIEW, response=CensusReturnSchema, query=CensusQuerySchema)
def census_placements(school_slug: str):
    """The school census's AP placements arranged by the school, for a census period."""
    try:
        query = parse_query()
    except ValidationError as exc:
        raise ApiError(400, "Bad query.", fields=exc.messages) from None
    last = query["to"] or clock.today()
    first = query["from_"] or last - dt.timedelta(days=90)
    errors = service.period_errors(first, last)
    if errors:
        raise ApiError(400, "Bad query.", fields={("to" if k == "last_day" else "from"): [v]
                                                  for k, v in errors.items()})
    return jsonify(CensusReturnSchema().dump(service.census_return(first, last)))

