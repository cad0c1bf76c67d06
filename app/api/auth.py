"""Bearer-token authentication for the API. A token acts with its holder's roles, nothing more."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request
from sqlalchemy import select

from app.audit import reset_acting_user, set_acting_user
from app.extensions import db
from app.permissions import Access, Permission, permissions_for_school_roles, user_school_roles
from app.services.api_tokens import user_for_token
from tenants.context import Scope, ScopeKind, set_scope


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def api_route(view):
    """Authenticate the bearer token before the view; the view then checks school or trust permissions."""

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
        return view(*args, **kwargs)

    wrapped.access = Access.TOKEN
    wrapped.permission = None
    return wrapped


def enter_school(slug: str, permission: Permission):
    """The school named in an API URL, entered as the tenant scope; 404 unless the holder has a role there."""
    from app.models import School

    school = db.session.scalar(select(School).where(School.slug == slug, School.is_active.is_(True)))
    roles = user_school_roles(g.api_user, school.id) if school else []
    if school is None or not roles:
        raise ApiError(404, "No such school.")
    if permission not in permissions_for_school_roles(roles):
        raise ApiError(403, "Your roles in this school do not allow this.")
    g.school = school
    g._tenant_scope_token = set_scope(Scope(ScopeKind.SCHOOL, school_id=school.id, actor_id=g.api_user.id))
    db.session.expire_all()
    return school


def init_app(app) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        body = {"error": {"status": err.status, "message": err.message}}
        if err.fields:
            body["error"]["fields"] = err.fields
        return jsonify(body), err.status


