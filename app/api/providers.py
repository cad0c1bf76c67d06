"""API: the shared provider register — providers with their status (vetting 7.8-7.9, suspension, the
registration verdict 7.2, open concerns), their checks, and concerns (read, and raise one).

Schemas live here, beside the resource; each route declares its contract (the document is generated). The register is shared, but a
school's own on-site provision and the concerns a school may not see are kept from other schools, as on the pages.
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import fields, validate

from app.api.auth import ApiError, api_route, parse_body, parse_query
from app.api.limits import Schema, computed
from app.api.paging import page
from app.api.routes import bp
from app.models import ConcernSeverity, ProviderKind
from app.permissions import Permission
from app.services import providers as service


class ProviderStatusSchema(Schema):
    vetting = fields.String(attribute="vetting.value", metadata={"description": "7.8-7.9"})
    vetted_until = fields.Date(allow_none=True)
    suspended = fields.Boolean()
    registration_risk = fields.Boolean(metadata={"description": "At or near the 7.2 threshold"})
    must_be_reported = fields.Boolean(metadata={"description": "Should be registered and is not (7.2)"})
    open_concerns = fields.Integer()
    allows_new_placements = fields.Boolean()
    blocking_reasons = fields.List(fields.String())


class SiteSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    address = fields.String()
    postcode = fields.String(allow_none=True)


class ContactSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class _Status(fields.Nested):
    """A provider's status: the list's, worked out once for the page (`context_statuses`), else its own."""

    def get_value(self, obj, attr, accessor=None, default=None):
        statuses = getattr(self.parent, "context_statuses", {})
        return statuses.get(obj.id) or service.provider_status(obj)


class ProviderSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(attribute="kind.value")
    registration_status = fields.String(attribute="registration_status.value")
    ofsted_urn = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    on_la_approved_list = fields.Boolean()
    status = _Status(ProviderStatusSchema)


class ProviderCheckItemSchema(Schema):
    id = fields.Integer()
    item = fields.String()
    label = fields.Function(lambda row: service.item_label(row.item))
    outcome = fields.Function(lambda row: row.outcome.value if row.outcome else None)
    not_applicable_reason = fields.String(allow_none=True)
    evidence_note = fields.String(allow_none=True)
    checked_by_id = fields.Integer(allow_none=True)
    checked_on = fields.Date(allow_none=True)


class ProviderCheckSchema(Schema):
    id = fields.Integer()
    made_by_school_id = fields.Integer()
    status = fields.String(attribute="status.value")
    started_at = fields.AwareDateTime(attribute="created_at")
    missing = fields.Function(service.missing_items, metadata={"description": "Items stopping approval (7.8)"})
    items = fields.List(fields.Nested(ProviderCheckItemSchema))


class ProviderDetailSchema(ProviderSchema):
    social_media = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    latest_report_date = fields.Date(allow_none=True)
    latest_report_judgement = fields.String(allow_none=True)
    latest_report_by = fields.String(allow_none=True)
    latest_report_url = fields.String(allow_none=True)
    sites = computed(fields.List(fields.Nested(SiteSchema)), service.active_sites)
    contacts = computed(fields.List(fields.Nested(ContactSchema)), service.active_contacts)
    checks = computed(fields.List(fields.Nested(ProviderCheckSchema)), service.checks_of,
                      description="Every round of checks, each with its items")


class ProviderConcernSchema(Schema):
    id = fields.Integer()
    provider_id = fields.Integer()
    made_by_school_id = fields.Integer()
    category = fields.String()
    severity = fields.String(attribute="severity.value")
    status = fields.String(attribute="status.value")
    details = fields.String()
    raised_at = fields.AwareDateTime(attribute="created_at")


class NewProviderConcernSchema(Schema):
    """POST .../concerns: an allow-list; unknown fields are refused."""

    category = fields.String(required=True, validate=validate.OneOf(list(service.CONCERN_CATEGORIES)))
    severity = fields.Enum(ConcernSeverity, by_value=True, required=True)
    details = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ProvidersQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200))
    status = fields.Enum(service.StatusFilter, by_value=True)
    kind = fields.Enum(ProviderKind, by_value=True)


@bp.get("/schools/<school_slug>/providers")
@api_route(permission=Permission.PROVIDERS_VIEW, response=ProviderSchema, many=True, query=ProvidersQuerySchema)
def providers(school_slug: str):
    """The register as this school sees it, each provider with its status."""
    query = parse_query()
    listings = service.search_providers(g.school.id, query.get("q", ""), status=query.get("status"),
                                        kind=query.get("kind"))
    schema = ProviderSchema(many=True)
    schema.context_statuses = {entry.provider.id: entry.status for entry in listings}
    return page([entry.provider for entry in listings], schema)


@bp.get("/schools/<school_slug>/providers/<int:provider_id>")
@api_route(permission=Permission.PROVIDERS_VIEW, response=ProviderDetailSchema)
def provider(school_slug: str, provider_id: int):
    """One provider: details, sites, contacts, status and every round of checks."""
    return jsonify(ProviderDetailSchema().dump(service.access_provider(provider_id)))


@bp.get("/schools/<school_slug>/providers/<int:provider_id>/concerns")
@api_route(permission=Permission.PROVIDERS_VIEW, response=ProviderConcernSchema, many=True)
def concerns(school_slug: str, provider_id: int):
    """The concerns about a provider this school may see (all, when it uses the provider)."""
    found = service.access_provider(provider_id)
    return page(service.concerns_visible_to(found, g.school.id), ProviderConcernSchema(many=True))


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/concerns")
@api_route(permission=Permission.PROVIDER_CONCERN_RAISE, body=NewProviderConcernSchema, response=ProviderConcernSchema, status=201)
def raise_concern(school_slug: str, provider_id: int):
    """Raise a concern: the DSL gets a task, the trust safeguarding lead and schools using the provider are told."""
    found = service.access_provider(provider_id)
    data = parse_body()
    result = service.raise_concern(found, g.school, g.api_user, data["category"], data["severity"], data["details"])
    if not result.ok:
        raise ApiError(400, "The request is not valid: see the fields.", {k: [v] for k, v in result.errors.items()})
    return jsonify(ProviderConcernSchema().dump(result.record)), 201
