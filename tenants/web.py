"""The one resolver: `/<school_slug>/...` names the school; it is loaded once per request and kept on `g`.

A user with no role in that school gets a 404 — another school's URLs do not even admit they exist.
"""
from __future__ import annotations

import re

from flask import Blueprint, g
from flask_login import current_user

from tenants.access import RecordNotFound
from tenants.context import Scope, ScopeKind, reset_scope, set_scope
from tenants.wiring import hooks


def school_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint whose every route lives under /<school_slug>/ and runs in that school's scope."""
    bp = Blueprint(name, import_name, url_prefix="/<school_slug>" + kwargs.pop("url_prefix", ""), **kwargs)
    bp.school_scoped = True  # how the isolation tests tell the resolver's blueprints from a hand-made /<school_slug>

    @bp.url_value_preprocessor
    def _pull_school(endpoint, values):
        g.school_slug = values.pop("school_slug", None) if values else None

    @bp.url_defaults
    def _add_school(endpoint, values):
        if "school_slug" not in values and getattr(g, "school", None) is not None:
            values["school_slug"] = g.school.slug

    @bp.before_request
    def _enter_school():
        if not current_user.is_authenticated:
            return hooks().unauthorized()
        enter_school(g.school_slug, current_user)
        return None

    return bp


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def school_slug_problem(slug: str, url_map) -> str | None:
    """Why `slug` cannot name a school's URLs, or None. /<slug>/ must not shadow an address of the app itself
    (/trust/, /admin/, /api/...): the school's pages would be unreachable, or the app's."""
    if not _SLUG.fullmatch(slug or ""):
        return "Use lower-case letters, digits and single hyphens, for example ashbrook-infant."
    taken = {rule.rule.split("/")[1] for rule in url_map.iter_rules() if not rule.rule.startswith("/<")}
    if slug in taken:
        return f"/{slug}/ is already an address of AP Hub itself: choose another."
    return None


def enter_school(slug: str | None, user):
    """The one resolver, for pages and the API alike: the active school named by `slug`, entered as the tenant
    scope for `user`, with their roles and permissions there on `g`. `RecordNotFound` (a 404) unless the user
    holds a role in that school."""
    kernel = hooks()
    school = kernel.school_by_slug(slug) if slug else None
    roles = kernel.school_roles(user, school.id) if school else []
    if school is None or not roles:
        raise RecordNotFound("school")
    g.school = school
    g.school_roles = roles
    g.school_permissions = kernel.permissions_for_roles(roles)
    g._tenant_scope_token = set_scope(Scope(ScopeKind.SCHOOL, school_id=school.id, actor_id=user.id))
    _expire_all_but(kernel.session(), school, user)
    return school


def _expire_all_but(session, school, user) -> None:
    """An object of another school must never sit in this request's identity map: everything read before the
    scope is expired, so reading it again is filtered by the scope. The school and the signed-in user belong to
    no school and were read by this very request: kept, or every school page read both twice (issue 18)."""
    kept = {id(school), id(getattr(user, "_get_current_object", lambda: user)())}
    for obj in list(session.identity_map.values()):
        if id(obj) not in kept:
            session.expire(obj)


def init_app(app) -> None:
    @app.teardown_request
    def _leave_scope(exc=None):
        token = g.pop("_tenant_scope_token", None)
        if token is not None:
            reset_scope(token)

    @app.context_processor
    def _school_in_templates():
        return {"current_school": getattr(g, "school", None), "current_school_roles": getattr(g, "school_roles", [])}


