"""Flask-Admin wiring. Every view requires the designated trustee and runs in a (recorded) trust scope."""
from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import Optional, ValidationError

from app.admin import trustee_safety
from app.extensions import db
from app.permissions import Permission, has_trust_permission
from tenants.context import trust_scope
from tenants.web import school_slug_problem


def _trustee() -> bool:
    return current_user.is_authenticated and has_trust_permission(current_user, Permission.TRUST_ADMIN)


def _is_admin_page() -> bool:
    # /admin and below (not a school whose slug starts "admin"), without the admin's static files: each
    # would be one more recorded cross-school read.
    in_admin = request.path == "/admin" or request.path.startswith("/admin/")
    return in_admin and request.endpoint != "admin.static"


def _slug_names_no_other_address(form, field) -> None:
    problem = school_slug_problem((field.data or "").strip(), current_app.url_map)
    if problem:
        raise ValidationError(problem)


def _refuse():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.path))
    abort(403)


class TrusteeIndexView(AdminIndexView):
    def is_accessible(self):
        return _trustee()

    def inaccessible_callback(self, name, **kwargs):
        return _refuse()

    @expose("/")
    def index(self):
        return self.render("admin/index.html")


class AdminForm(FlaskForm):
    """Admin forms on Flask-WTF, so they carry the token the app-wide CSRFProtect checks on every POST
    (Flask-Admin's own SecureForm token came second under the same field name, and every save failed).
    `_obj` is what Flask-Admin's base form keeps: its Unique validator needs it to let a record keep its own
    unique values (an email address) when edited."""

    def __init__(self, *args, **kwargs):
        self._obj = kwargs["obj"] if "obj" in kwargs else (args[1] if len(args) > 1 else None)
        super().__init__(*args, **kwargs)


class TrusteeModelView(ModelView):
    """Base for every admin view: trustee only, CSRF on forms, no deletes (records are archived); times in
    England's local time (issue 13 item 4)."""

    form_base_class = AdminForm
    can_delete = False
    page_size = 50
    column_type_formatters = trustee_safety.type_formatters(ModelView.column_type_formatters)
    column_type_formatters_detail = trustee_safety.type_formatters(None)

    def is_accessible(self):
        return _trustee()

    def inaccessible_callback(self, name, **kwargs):
        return _refuse()


def _acceptable_password(form, field) -> None:
    from wtforms.validators import ValidationError

    from app.services.passwords import password_problem

    problem = password_problem(field.data or "", email=form.email.data or "", full_name=form.full_name.data or "")
    if problem:
        raise ValidationError(problem)


def build_admin(app) -> Admin:
    from app.models import AuditEvent, LAContact, LocalAuthority, School, SchoolRole, Trust, TrustRole, User
    from app.security_headers import csp_nonce

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

    class TrustView(TrusteeModelView):
        can_create = False
        form_columns = ("name", "address", "website")

    class SchoolView(TrusteeModelView):
        column_list = ("name", "slug", "urn", "phase", "local_authority", "is_active")
        form_columns = ("trust", "name", "slug", "urn", "phase", "local_authority", "address",
                        "attendance_cutoff_minutes", "is_active")
        column_searchable_list = ("name", "urn", "slug")
        form_args = {"slug": {"validators": [_slug_names_no_other_address]}}

    class LocalAuthorityView(TrusteeModelView):
        form_columns = ("name", "code")

    class LAContactView(TrusteeModelView):
        column_list = ("local_authority", "kind", "name", "email", "phone", "archived_at")
        form_columns = ("local_authority", "kind", "name", "email", "phone")

    class UserView(TrusteeModelView):
        column_list = ("full_name", "email", "is_enabled", "last_sign_in_at", "archived_at")
        column_searchable_list = ("full_name", "email")
        # An extra field is only on the form when form_columns names it.
        form_columns = ("full_name", "email", "phone", "is_enabled", "notification_preference", "new_password")
        form_extra_fields = {
            "new_password": PasswordField(
                "Set a new password", validators=[Optional(), _acceptable_password],
                description="Usually leave empty: a new person is emailed an invitation to set their own, and "
                            "anyone can reset theirs by email. Setting one signs the person out everywhere.",
            ),
        }

        def on_model_change(self, form, model, is_created):
            from app.services import accounts

            model.email = (model.email or "").strip().lower()
            if form.new_password.data:
                model.set_password(form.new_password.data)
                model.rotate_session_token()
            elif is_created:
                # No password yet: the person sets their own from the invitation emailed after this save.
                model.password_hash = None
            if not is_created and not model.is_enabled:
                # A leaver switched off by the trustee: sessions, API tokens and calendar feed end now.
                accounts.end_access(model, reason="deactivated by the trustee")

        def after_model_change(self, form, model, is_created):
            from app.services import accounts

            if is_created and not model.password_hash and model.is_enabled:
                accounts.invite(model, by=current_user._get_current_object())

    class SchoolRoleView(TrusteeModelView):
        can_delete = True  # a role is removed, not archived; the removal is in the audit trail
        column_list = ("user", "school", "role", "covers")
        form_columns = ("user", "school", "role", "covers")

        def after_model_change(self, form, model, is_created):
            # A grant reaches the school's headteacher and DSL at once, whoever it is for (the trustee too).
            if is_created:
                trustee_safety.tell_school_of_role_grant(model, current_user._get_current_object())
                db.session.commit()

    class TrustRoleView(TrusteeModelView):
        can_delete = True
        column_list = ("user", "role")
        form_columns = ("user", "role")

    class AuditEventView(TrusteeModelView):
        can_create = False
        can_edit = False
        can_view_details = True
        column_default_sort = ("at", True)
        column_list = ("at", "actor_id", "school_id", "action", "record_type", "record_id", "detail")
        column_filters = ("action", "record_type", "school_id", "actor_id")
        column_labels = {"actor_id": "Who", "school_id": "School"}
        column_formatters = {"actor_id": trustee_safety.person_name("actor_id"),
                             "school_id": trustee_safety.school_name("school_id")}
        column_formatters_detail = column_formatters

    admin.add_view(TrustView(Trust, db, endpoint="admin_trust", category="Trust"))
    admin.add_view(SchoolView(School, db, endpoint="admin_school", category="Trust"))
    admin.add_view(LocalAuthorityView(LocalAuthority, db, endpoint="admin_la", category="Local authorities"))
    admin.add_view(LAContactView(LAContact, db, endpoint="admin_la_contact", category="Local authorities", name="LA contacts"))
    admin.add_view(UserView(User, db, endpoint="admin_user", category="People"))
    admin.add_view(SchoolRoleView(SchoolRole, db, endpoint="admin_school_role", category="People", name="School roles"))
    admin.add_view(TrustRoleView(TrustRole, db, endpoint="admin_trust_role", category="People", name="Trust roles"))
    admin.add_view(AuditEventView(AuditEvent, db, endpoint="admin_audit", name="Audit trail"))
    from app.admin.outbox import add_outbox_views

    add_outbox_views(admin)  # notifications (failed ones retried by hand) and queue health
    from app.admin.part_time import add_part_time_views

    add_part_time_views(admin)  # each LA's procedure for reporting part-time timetables (9.7)
    from app.admin.webhooks import add_webhook_views

    add_webhook_views(admin)  # the trust's webhook subscriptions and their deliveries (issue 17 item 5)
    return admin
