"""Bearer-token authentication for the API. A token acts with its holder's roles, nothing more."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from marshmallow import ValidationError

from app.audit import reset_acting_user, set_acting_user
from app.permissions import Permission, has_trust_permission, token_route
from app.services.api_tokens import user_for_token
from tenants.web import enter_school as enter_school_as


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def api_route(view=None, *, permission: Permission | None = None):
    """Authenticate the bearer token, then check the declared permission before the view runs.

        @api_route                                            any token holder
        @api_route(permission=Permission.KEY_CONTACTS_VIEW)   a role in the school named by <school_slug>;
                                                              the school is entered as the tenant scope
        @api_route(permission=Permission.TRUST_VIEW)          a trust role
    """
    if view is None:
        return lambda v: api_route(v, permission=permission)

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
        return view(*args, **kwargs)

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


def parse_query(schema) -> dict:
    """The query string, loaded by a marshmallow schema (an allow-list): a bad or unknown parameter is a 400
    naming it."""
    return schema.load(request.args.to_dict(flat=True))


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
