"""Who may open what: every route declares its access (app/permissions.py), and every role gets exactly what the
declaration promises, on every GET route the URL map has (new routes are picked up without editing this file).
The admin is the designated trustee's alone."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from app.permissions import (
    Access,
    Permission,
    permissions_for_school_roles,
    permissions_for_trust_roles,
    public,
)
from app.roles import SchoolRoleName, TrustRoleName
from app.services import api_tokens
from tenants import system_scope
from tests.helpers import fresh_client, sign_in
from tests.tenants.record_builders import build, model_for_url_arg

# --- every route declares its access -------------------------------------------------------------------------


def admin_blueprints(app) -> set[str]:
    """Flask-Admin's own endpoints (its views, index and static files): checked by the admin tests below."""
    return {view.endpoint for admin in app.extensions.get("admin", []) for view in admin._views}


def app_rules(app) -> list:
    """Every route of the app itself: not static files, not Flask-Admin's views."""
    admin = admin_blueprints(app)
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and rule.endpoint.split(".")[0] not in admin]


def undeclared(app) -> list[str]:
    return sorted(rule.endpoint for rule in app_rules(app)
                  if not isinstance(getattr(app.view_functions[rule.endpoint], "access", None), Access))


def test_every_route_declares_its_access(app):
    assert undeclared(app) == [], (
        "these routes have no access declaration: decorate each view with public, signed_in, "
        "school_permission(P), trust_permission(P) (app/permissions.py) or api_route (app/api/auth.py)")


def test_the_declaration_check_catches_an_undeclared_route():
    probe = Flask("probe")
    probe.add_url_rule("/declared", "declared", public(lambda: "ok"))
    probe.add_url_rule("/forgotten", "forgotten", lambda: "oops")
    assert undeclared(probe) == ["forgotten"]


def test_declarations_are_consistent_with_the_urls(app):
    problems = []
    for rule in app_rules(app):
        view = app.view_functions[rule.endpoint]
        access, permission = view.access, view.permission
        under_school = rule.rule.startswith("/<school_slug>/")
        if access is Access.SCHOOL and (permission is None or permission.is_trust or not under_school):
            problems.append(f"{rule.rule}: a school permission, under /<school_slug>/")
        if under_school and access is not Access.SCHOOL:
            problems.append(f"{rule.rule}: a school page must declare school_permission(P)")
        if access is Access.TRUST and (permission is None or not permission.is_trust):
            problems.append(f"{rule.rule}: trust_permission needs a trust permission")
        if access is Access.TOKEN and permission is not None and not permission.is_trust \
                and "school_slug" not in rule.arguments:
            problems.append(f"{rule.rule}: an API school permission needs <school_slug> in the URL")
        if access is Access.TOKEN and "school_slug" in rule.arguments and (permission is None or permission.is_trust):
            problems.append(f"{rule.rule}: declare the school permission: @api_route(permission=Permission.X)")
    assert problems == []


# --- the permission matrix -----------------------------------------------------------------------------------

ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND, NO_TOKEN = (
    "allowed (200)", "sent to sign in (302)", "forbidden (403)", "not found (404)", "no token (401)")

# What each declaration promises to each kind of asker. Columns: signed out; signed in with no role there (for a
# school route: no role in the school the URL names; for a trust route: no trust role); a role there without
# the permission; a role there with it.
EXPECTED = {
    #  declared as                 signed out  no role there  role, not this permission  role with it
    "public":                     (ALLOWED,   ALLOWED,       ALLOWED,                   ALLOWED),
    "signed in":                  (SIGN_IN,   ALLOWED,       ALLOWED,                   ALLOWED),
    "school permission":          (SIGN_IN,   NOT_FOUND,     FORBIDDEN,                 ALLOWED),
    "trust permission":           (SIGN_IN,   FORBIDDEN,     FORBIDDEN,                 ALLOWED),
    "token, any holder":          (NO_TOKEN,  ALLOWED,       ALLOWED,                   ALLOWED),
    "token, school permission":   (NO_TOKEN,  NOT_FOUND,     FORBIDDEN,                 ALLOWED),
    "token, trust permission":    (NO_TOKEN,  FORBIDDEN,     FORBIDDEN,                 ALLOWED),
    "operator's token":           (NO_TOKEN,  NO_TOKEN,      NO_TOKEN,                  NO_TOKEN),
}

ASKERS = ([f"a.{role.value}" for role in SchoolRoleName] + [f"trust.{role.value}" for role in TrustRoleName]
          + ["none", "anonymous"])


def declared_as(view) -> str:
    access, permission = view.access, view.permission
    if access is Access.TOKEN:
        if permission is None:
            return "token, any holder"
        return "token, trust permission" if permission.is_trust else "token, school permission"
    return {Access.PUBLIC: "public", Access.SIGNED_IN: "signed in", Access.SCHOOL: "school permission",
            Access.TRUST: "trust permission", Access.OPS_TOKEN: "operator's token"}[access]


def column(asker, user, school_id: int, permission: Permission | None) -> int:
    if user is None:
        return 0
    if permission is None:
        return 1
    if permission.is_trust:
        roles = [tr.role for tr in user.trust_roles]
        granted = permissions_for_trust_roles(roles)
    else:
        roles = [sr.role for sr in user.school_roles if sr.school_id == school_id]
        granted = permissions_for_school_roles(roles)
    if not roles:
        return 1
    return 3 if permission in granted else 2


def observed(client, url: str, headers: dict) -> str:
    response = client.get(url, headers=headers)
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response.headers["Location"]).path
        if target == "/sign-in":
            return SIGN_IN
        final = client.get(url, headers=headers, follow_redirects=True)
        if final.status_code == 200 and urlsplit(final.request.url).path != "/sign-in":
            return ALLOWED  # e.g. home sends a person with one school straight to it
        return f"redirected to {target}, then {final.status_code}"
    return {200: ALLOWED, 401: NO_TOKEN, 403: FORBIDDEN, 404: NOT_FOUND}.get(status, f"status {status}")


def get_rules(app) -> list:
    return sorted((r for r in app_rules(app) if "GET" in r.methods), key=lambda r: r.rule)


def fill(app, rule, school, ids: dict) -> str:
    """The URL of a rule for a school: <school_slug> is the school, id arguments a record of that school."""
    values = {}
    for arg in rule.arguments:
        if arg == "school_slug":
            values[arg] = school.slug
        else:
            key = (rule.endpoint, arg)
            if key not in ids:
                ids[key] = build(model_for_url_arg(rule.endpoint, arg), school.id, label="matrix").id
            values[arg] = ids[key]
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="GET")


@pytest.mark.parametrize("asker", ASKERS)
def test_every_role_gets_what_the_declarations_promise(app, world, asker):
    user = world.users.get(asker)
    school = world.a  # the school of every school-role asker; for the others, a school they have no role in
    school_id = school.id
    cookies, token_client = fresh_client(app), fresh_client(app)
    headers = {}
    if user is not None:
        assert sign_in(cookies, user).status_code == 302
        headers = {"Authorization": f"Bearer {api_tokens.issue(user, 'permission matrix')}"}

    ids: dict = {}
    wrong = []
    for rule in get_rules(app):
        view = app.view_functions[rule.endpoint]
        url = fill(app, rule, school, ids)
        kind = declared_as(view)
        expected = EXPECTED[kind][column(asker, user, school_id, view.permission)]
        if rule.rule.startswith("/api/v1/me/") and rule.arguments and user is not None:
            # The asker's own records (their tasks): one built for nobody is theirs to nobody, so not found.
            expected = NOT_FOUND
        if view.access is Access.TOKEN:
            got = observed(token_client, url, headers)
        else:
            got = observed(cookies, url, {})
        if got != expected:
            wrong.append(f"{asker} GET {url} ({kind} {view.permission or ''}): expected {expected}, got {got}")
    assert wrong == []


# --- the admin -----------------------------------------------------------------------------------------------


def admin_urls(app, world) -> list[str]:
    """The admin's index, and every view's list, create, edit and details page (those the view offers), for a
    real record; other admin pages (queue health) by their GET routes without arguments."""
    from flask_admin.contrib.sqla import ModelView

    urls = []
    adapter = app.url_map.bind("localhost")
    for admin in app.extensions["admin"]:
        for view in admin._views:
            if not isinstance(view, ModelView):
                urls += [adapter.build(r.endpoint, {}) for r in app.url_map.iter_rules()
                         if r.endpoint.split(".")[0] == view.endpoint and "GET" in r.methods and not r.arguments
                         and r.endpoint != "admin.static"]
                continue
            urls.append(adapter.build(f"{view.endpoint}.index_view"))
            if view.can_create:
                urls.append(adapter.build(f"{view.endpoint}.create_view"))
            if view.can_edit or view.can_view_details:
                with system_scope("test: a record for the admin pages"):
                    record = app.extensions["sqlalchemy"].session.scalars(select(view.model).limit(1)).first()
                    pk = view.get_pk_value(record) if record is not None else None
                if pk is None:
                    pk = build(view.model, world.a.id, label="admin").id
                if view.can_edit:
                    urls.append(adapter.build(f"{view.endpoint}.edit_view", {"id": pk}))
                if view.can_view_details:
                    urls.append(adapter.build(f"{view.endpoint}.details_view", {"id": pk}))
    return sorted(set(urls))


def test_the_admin_pages_are_found(app, world):
    urls = admin_urls(app, world)
    assert "/admin/" in urls and "/admin/admin_audit/" in urls
    assert any(u.startswith("/admin/admin_user/edit/?id=") for u in urls)


@pytest.mark.parametrize("asker", ASKERS)
def test_only_the_designated_trustee_opens_the_admin(app, world, asker):
    user = world.users.get(asker)
    client = fresh_client(app)
    if user is not None:
        sign_in(client, user)
    if asker == "trust.designated_trustee":
        expected = 200
    elif user is None:
        expected = 302
    else:
        expected = 403
    wrong = []
    for url in admin_urls(app, world):
        response = client.get(url)
        if response.status_code != expected:
            wrong.append(f"{asker} GET {url}: expected {expected}, got {response.status_code}")
        elif expected == 302 and not response.headers["Location"].startswith("/sign-in"):
            wrong.append(f"{asker} GET {url}: sent to {response.headers['Location']}, not to sign in")
    assert wrong == []
