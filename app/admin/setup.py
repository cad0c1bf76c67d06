"""Flask-Admin wiring. Every view requires the designated trustee and runs in a (recorded) trust scope."""
from __future__ import annotations

from flask import g, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user

from app.admin.base import TrusteeIndexView, _is_admin_page, _trustee
from app.admin.model_views import (
    AuditEventView,
    LAContactView,
    LocalAuthorityView,
    SchoolRoleView,
    SchoolView,
    TrustRoleView,
    TrustView,
    UserView,
)
from app.admin.outbox import add_outbox_views
from app.admin.part_time import add_part_time_views
from app.admin.webhooks import add_webhook_views
from app.extensions import db
from app.models import AuditEvent, LAContact, LocalAuthority, School, SchoolRole, Trust, TrustRole, User
from app.security_headers import csp_nonce
from tenants.context import trust_scope


def build_admin(app) -> Admin:
    admin = Admin(app, name="AP Hub trust admin", url="/admin",
                  index_view=TrusteeIndexView(url="/admin", endpoint="admin"),
                  theme=Bootstrap4Theme(swatch="default", fluid=True), csp_nonce_generator=csp_nonce)

    @app.before_request
    def _admin_in_trust_scope():
        # Admin pages span schools: the whole request runs in the trust scope (relation dropdowns query too).
        if _is_admin_page() and _trustee():
            cm = trust_scope(current_user.id, f"trust admin: {request.method} {request.path}")
            cm.__enter__()
            g._admin_scope_cm = cm

    @app.teardown_request
    def _leave_admin_scope(exc=None):
        cm = g.pop("_admin_scope_cm", None)
        if cm is not None:
            cm.__exit__(None, None, None)

    admin.add_view(TrustView(Trust, db, endpoint="admin_trust", category="Trust"))
    admin.add_view(SchoolView(School, db, endpoint="admin_school", category="Trust"))
    admin.add_view(LocalAuthorityView(LocalAuthority, db, endpoint="admin_la", category="Local authorities"))
    admin.add_view(LAContactView(LAContact, db, endpoint="admin_la_contact", category="Local authorities", name="LA contacts"))
    admin.add_view(UserView(User, db, endpoint="admin_user", category="People"))
    admin.add_view(SchoolRoleView(SchoolRole, db, endpoint="admin_school_role", category="People", name="School roles"))
    admin.add_view(TrustRoleView(TrustRole, db, endpoint="admin_trust_role", category="People", name="Trust roles"))
    admin.add_view(AuditEventView(AuditEvent, db, endpoint="admin_audit", name="Audit trail"))
    add_outbox_views(admin)  # notifications (failed ones retried by hand) and queue health
    add_part_time_views(admin)  # each LA's procedure for reporting part-time timetables (9.7)

    add_webhook_views(admin)  # the trust's webhook subscriptions and their deliveries (issue 17 item 5)
    return admin
