"""Bearer-token authentication for the API. A token acts with its holder's roles, nothing more."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from marshmallow import ValidationError

from app.api.contract import Contract
from app.audit import reset_acting_user, set_acting_user
from app.permissions import Permission, has_trust_permission, token_route
from app.services.api_tokens import user_for_token
from tenants.web import enter_school as enter_school_as


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def api_route(view=None, *, permission: Permission | None = None, **contract):
    """Authenticate the bearer token, then check the declared permission before the view runs; the rest of the
    arguments declare the route's contract (app.api.contract.Contract), from which the OpenAPI document is made.

        @api_route(response=MeSchema)                         any token holder
        @api_route(permission=Permission.KEY_CONTACTS_VIEW,   a role in the school named by <school_slug>;
                   response=KeyContactsSchema)                the school is entered as the tenant scope
        @api_route(permission=Permission.TRUST_VIEW, ...)     a trust role
        @api_route(permission=..., response=PupilSchema, many=True, query=PupilsQuerySchema)   a list, in pages
        @api_route(permission=..., body=PupilInputSchema, response=PupilDetailSchema, status=201)
    """
    if view is None:
        return lambda v: api_route(v, permission=permission, **contract)
    declared = Contract(permission=permission, **contract)

    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
        user = user_for_token(raw)
        if user is None:
            raise ApiError(401, "A valid API token is required: send 'Authorization: Bearer <token>'.")
        g.api_user = user
        previous = g.pop("_acting_user_token", None)
        if previous is not None:
            reset_acting_user(previous)
        g._acting_user_token = set_acting_user(user.id)
        if permission is not None and permission.is_trust:
            if not has_trust_permission(user, permission):
                raise ApiError(403, "Your trust roles do not allow this.")
        elif permission is not None:
            enter_school(kwargs["school_slug"], permission)
        g.api_contract = declared
        return view(*args, **kwargs)

    wrapped.api_contract = declared
    return token_route(wrapped, permission)


def enter_school(slug: str, permission: Permission):
    """The school named in an API URL, entered as the tenant scope by the one resolver (`tenants.web`): 404
    unless the holder has a role there, 403 unless a role grants the permission."""
    if g.get("_tenant_scope_token") is not None:
        return g.school  # entered already, by the route's declaration
    school = enter_school_as(slug, g.api_user)
    if permission not in g.school_permissions:
        raise ApiError(403, "Your roles in this school do not allow this.")
    return school


def api_school_permissions() -> frozenset[Permission]:
    """What the token holder may do in the school the URL named (field-level checks inside a resource)."""
    return g.school_permissions


def parse_query(schema=None) -> dict:
    """The query string, loaded by a marshmallow schema (the route's declared `query` when not given; an
    allow-list): a bad or unknown parameter is a 400 naming it. A list's `limit` and `cursor` are the pager's."""
    contract = g.get("api_contract")
    if schema is None:
        schema = contract.query()
    args = request.args.to_dict(flat=True)
    if contract is not None and contract.many:
        args = {k: v for k, v in args.items() if k not in ("limit", "cursor")}
    return schema.load(args)


def parse_body(schema=None) -> dict:
    """The JSON body, loaded by a marshmallow schema (the route's declared `body` when not given)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.", {"_schema": ["Send a JSON object."]})
    return (schema or g.api_contract.body()).load(body)


def init_app(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        body = {"error": {"status": err.status, "message": err.message}}
        if err.fields:
            body["error"]["fields"] = err.fields
        return jsonify(body), err.status

    @app.errorhandler(ValidationError)
    def _invalid_input(err: ValidationError):
        # Raised by a schema's load(): the fields named, each with what is wrong with it.
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return _api_error(ApiError(400, "The request is not valid: see the fields.", messages))
