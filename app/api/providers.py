"""API: the shared provider register — providers with their status (vetting 7.8-7.9, suspension, the
registration verdict 7.2, open concerns), their checks, and concerns (read, and raise one).

Schemas live here, beside the resource; app.api.openapi adds `openapi_paths`. The register is shared, but a
school's own on-site provision and the concerns a school may not see are kept from other schools, as on the pages.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import fields, validate

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
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


class ProviderSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(attribute="kind.value")
    registration_status = fields.String(attribute="registration_status.value")
    ofsted_urn = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    on_la_approved_list = fields.Boolean()
    status = fields.Method("_status")

    def _status(self, provider):
        statuses = self.context_statuses if hasattr(self, "context_statuses") else {}
        status = statuses.get(provider.id) or service.provider_status(provider)
        return ProviderStatusSchema().dump(status)


class ProviderDetailSchema(ProviderSchema):
    social_media = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    latest_report_date = fields.Date(allow_none=True)
    latest_report_judgement = fields.String(allow_none=True)
    latest_report_by = fields.String(allow_none=True)
    latest_report_url = fields.String(allow_none=True)
    sites = fields.Function(lambda p: SiteSchema(many=True).dump(service.active_sites(p)))
    contacts = fields.Function(lambda p: ContactSchema(many=True).dump(service.active_contacts(p)))


class CheckItemSchema(Schema):
    item = fields.String()
    label = fields.Function(lambda row: service.item_label(row.item))
    outcome = fields.Function(lambda row: row.outcome.value if row.outcome else None)
    not_applicable_reason = fields.String(allow_none=True)
    evidence_note = fields.String(allow_none=True)
    checked_by_id = fields.Integer(allow_none=True)
    checked_on = fields.Date(allow_none=True)


class CheckSchema(Schema):
    id = fields.Integer()
    made_by_school_id = fields.Integer()
    status = fields.String(attribute="status.value")
    started_at = fields.AwareDateTime(attribute="created_at")
    missing = fields.Function(service.missing_items, metadata={"description": "Items stopping approval (7.8)"})
    items = fields.List(fields.Nested(CheckItemSchema))


class ConcernSchema(Schema):
    id = fields.Integer()
    provider_id = fields.Integer()
    made_by_school_id = fields.Integer()
    category = fields.String()
    severity = fields.String(attribute="severity.value")
    status = fields.String(attribute="status.value")
    details = fields.String()
    raised_at = fields.AwareDateTime(attribute="created_at")


class NewConcernSchema(Schema):
    """POST .../concerns: an allow-list; unknown fields are refused."""

    category = fields.String(required=True, validate=validate.OneOf(list(service.CONCERN_CATEGORIES)))
    severity = fields.Enum(ConcernSeverity, by_value=True, required=True)
    details = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ProvidersQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200))
    status = fields.Enum(service.StatusFilter, by_value=True)
    kind = fields.Enum(ProviderKind, by_value=True)


@bp.get("/schools/<school_slug>/providers")
@api_route(permission=Permission.PROVIDERS_VIEW)
def providers(school_slug: str):
    """The register as this school sees it, each provider with its status."""
    query = parse_query(ProvidersQuerySchema())
    listings = service.search_providers(g.school.id, query.get("q", ""), status=query.get("status"),
                                        kind=query.get("kind"))
    schema = ProviderSchema(many=True)
    schema.context_statuses = {entry.provider.id: entry.status for entry in listings}
    return jsonify({"items": schema.dump([entry.provider for entry in listings])})


@bp.get("/schools/<school_slug>/providers/<int:provider_id>")
@api_route(permission=Permission.PROVIDERS_VIEW)
def provider(school_slug: str, provider_id: int):
    """One provider: details, sites, contacts, status and every round of checks."""
    found = service.access_provider(provider_id)
    body = ProviderDetailSchema().dump(found)
    body["checks"] = CheckSchema(many=True).dump(service.checks_of(found))
    return jsonify(body)


@bp.get("/schools/<school_slug>/providers/<int:provider_id>/concerns")
@api_route(permission=Permission.PROVIDERS_VIEW)
def concerns(school_slug: str, provider_id: int):
    """The concerns about a provider this school may see (all, when it uses the provider)."""
    found = service.access_provider(provider_id)
    return jsonify({"items": ConcernSchema(many=True).dump(service.concerns_visible_to(found, g.school.id))})


@bp.post("/schools/<school_slug>/providers/<int:provider_id>/concerns")
@api_route(permission=Permission.PROVIDER_CONCERN_RAISE)
def raise_concern(school_slug: str, provider_id: int):
    """Raise a concern: the DSL gets a task, the trust safeguarding lead and schools using the provider are told."""
    found = service.access_provider(provider_id)
    data = NewConcernSchema().load(request.get_json(silent=True) or {})
    result = service.raise_concern(found, g.school, g.api_user, data["category"], data["severity"], data["details"])
    if not result.ok:
        raise ApiError(400, "The request is not valid: see the fields.", {k: [v] for k, v in result.errors.items()})
    return jsonify(ConcernSchema().dump(result.record)), 201


def openapi_paths(spec, ok, error) -> None:
    spec.components.schema("ProviderStatus", schema=ProviderStatusSchema)
    spec.components.schema("Provider", schema=ProviderSchema)
    spec.components.schema("ProviderDetail", schema=ProviderDetailSchema)
    spec.components.schema("ProviderCheck", schema=CheckSchema)
    spec.components.schema("ProviderConcern", schema=ConcernSchema)
    spec.components.schema("NewProviderConcern", schema=NewConcernSchema)
    secured = [{"bearer": []}]
    slug = {"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}
    pid = {"name": "provider_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    errors = {"401": error, "403": error, "404": error}

    def items(ref):
        return ok({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": ref}}}})

    spec.path("/api/v1/schools/{school_slug}/providers", operations={"get": {
        "summary": "The provider register as the school sees it, with status badges", "security": secured,
        "parameters": [slug] + [{"name": n, "in": "query", "required": False, "schema": s} for n, s in (
            ("q", {"type": "string"}), ("status", {"type": "string", "enum": [s.value for s in service.StatusFilter]}),
            ("kind", {"type": "string", "enum": [k.value for k in ProviderKind]}))],
        "responses": {"200": items("#/components/schemas/Provider"), "400": error, **errors}}})
    detail = ok({"allOf": [{"$ref": "#/components/schemas/ProviderDetail"}, {"type": "object", "properties": {
        "checks": {"type": "array", "items": {"$ref": "#/components/schemas/ProviderCheck"}}}}]})
    spec.path("/api/v1/schools/{school_slug}/providers/{provider_id}", operations={"get": {
        "summary": "A provider, its status and its checks", "security": secured, "parameters": [slug, pid],
        "responses": {"200": detail, **errors}}})
    spec.path("/api/v1/schools/{school_slug}/providers/{provider_id}/concerns", operations={
        "get": {"summary": "Concerns about the provider the school may see", "security": secured,
                "parameters": [slug, pid], "responses": {"200": items("#/components/schemas/ProviderConcern"),
                                                         **errors}},
        "post": {"summary": "Raise a concern about the provider", "security": secured, "parameters": [slug, pid],
                 "requestBody": {"required": True, "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/NewProviderConcern"}}}},
                 "responses": {"201": {"description": "Raised", "content": {"application/json": {
                     "schema": {"$ref": "#/components/schemas/ProviderConcern"}}}}, "400": error, **errors}}})
