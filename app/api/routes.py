"""API resources. Each route declares who may call it (api_route: the token, then the school or trust
permission, entering the school the URL names), then calls a service. The API never uses the cookie session."""
from flask import Blueprint, g, jsonify, render_template

from app.api.auth import api_route, parse_query
from app.api.contract import Contract
from app.api.openapi import openapi_document
from app.api.paging import page
from app.api.schemas import KeyContactsSchema, MeSchema, SchoolSchema, SchoolsQuerySchema
from app.permissions import Permission, has_trust_permission, public
from app.services.schools import all_schools, key_contacts_for, schools_for_user
from tenants import trust_scope

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def documented(**contract):
    """The contract of a public route (api_route declares it for the rest)."""
    def declare(view):
        view.api_contract = Contract(public=True, **contract)
        return view

    return declare


@bp.get("/openapi.json")
@public
@documented(summary="This document (OpenAPI 3.1)")
def openapi():
    return jsonify(openapi_document())


@bp.get("/docs")
@public
@documented(summary="The reference page of this document (HTML, Swagger UI)", content_type="text/html")
def reference():
    return render_template("api/reference.html")


@bp.get("/me")
@api_route(response=MeSchema)
def me():
    """The token holder and their roles."""
    return jsonify(MeSchema().dump(g.api_user))


@bp.get("/schools")
@api_route(response=SchoolSchema, many=True, query=SchoolsQuerySchema)
def schools():
    """Schools the holder may see: their own, or every school for a trust role (a recorded cross-school read)."""
    query = parse_query()
    if has_trust_permission(g.api_user, Permission.TRUST_VIEW):
        with trust_scope(g.api_user.id, "API: list of schools"):
            visible = all_schools()
    else:
        visible = schools_for_user(g.api_user)
    if "phase" in query:
        visible = [s for s in visible if s.phase == query["phase"]]
    return page(visible, SchoolSchema(many=True))


@bp.get("/schools/<school_slug>/key-contacts")
@api_route(permission=Permission.KEY_CONTACTS_VIEW, response=KeyContactsSchema)
def key_contacts(school_slug: str):
    """A school's key contacts for alternative provision, as the policy's first page lists them."""
    return jsonify(KeyContactsSchema().dump(key_contacts_for(g.school)))
