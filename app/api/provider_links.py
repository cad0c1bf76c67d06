"""API: providers' attendance links (issue 17 item 1), through the same service as the page
(app.services.provider_links): the school's links (never their tokens), issuing one (its token and address are
in the answer once, never again: stored hashed) and revoking one."""
from __future__ import annotations

from flask import g, jsonify, url_for
from marshmallow import RAISE, ValidationError, fields

from app.api.auth import api_route, parse_body
from app.api.limits import Schema
from app.api.paging import page
from app.api.routes import bp
from app.permissions import Permission
from app.services import provider_links as service


class ProviderLinkSchema(Schema):
    id = fields.Integer()
    provider_id = fields.Integer()
    provider_name = fields.String(attribute="provider.name")
    prefix = fields.String(allow_none=True, metadata={"description": "The token's first characters"})
    label = fields.String(allow_none=True)
    state = fields.Function(service.link_state, metadata={"description": "live | expired | revoked"})
    expires_at = fields.AwareDateTime()
    revoked_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    use_count = fields.Integer()


class IssuedLinkSchema(ProviderLinkSchema):
    token = fields.String(metadata={"description": "Shown this once: it is stored only as a hash"})
    url = fields.String(metadata={"description": "The page the provider opens (shown this once)"})


class IssueLinkInputSchema(Schema):
    class Meta:
        unknown = RAISE

    provider_id = fields.Integer(required=True, metadata={"description": "A provider of an active placement"})
    days = fields.Integer(load_default=None, allow_none=True,
                          metadata={"description": f"1-{service.MAX_DAYS}; {service.DEFAULT_DAYS} when not given"})
    label = fields.String(load_default=None, allow_none=True, metadata={"description": "Who it was sent to"})


@bp.get("/schools/<school_slug>/provider-links")
@api_route(permission=Permission.PROVIDER_LINKS_MANAGE, response=ProviderLinkSchema, many=True)
def provider_links(school_slug: str):
    """The school's attendance links for its providers, with their state."""
    return page(service.school_links(), ProviderLinkSchema(many=True))


@bp.post("/schools/<school_slug>/provider-links")
@api_route(permission=Permission.PROVIDER_LINKS_MANAGE, body=IssueLinkInputSchema, response=IssuedLinkSchema,
           status=201)
def issue_provider_link(school_slug: str):
    """Issue a link for a provider of an active placement: the token and address are in this answer only."""
    values = parse_body()
    result = service.issue_link(values["provider_id"], values["days"], values["label"], g.api_user)
    if not result.ok:
        raise ValidationError({name: [message] for name, message in result.errors.items()})
    body = {**ProviderLinkSchema().dump(result.link), "token": result.token,
            "url": url_for("provider_attendance.page", token=result.token, _external=True)}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 201


@bp.post("/schools/<school_slug>/provider-links/<int:link_id>/revoke")
@api_route(permission=Permission.PROVIDER_LINKS_MANAGE, response=ProviderLinkSchema)
def revoke_provider_link(school_slug: str, link_id: int):
    """Revoke a link: it no longer opens (revoking twice is harmless)."""
    return jsonify(ProviderLinkSchema().dump(service.revoke_link(link_id, g.api_user)))
