"""The admin's base views: the trustee only (others are refused), CSRF on every form, no deletes."""
from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from flask_wtf import FlaskForm

from app.admin import trustee_safety
from app.permissions import Permission, has_trust_permission


def _trustee() -> bool:
    return current_user.is_authenticated and has_trust_permission(current_user, Permission.TRUST_ADMIN)


def _is_admin_page() -> bool:
    # /admin and below (not a school whose slug starts "admin"), without the admin's static files: each
    # would be one more recorded cross-school read.
    in_admin = request.path == "/admin" or request.path.startswith("/admin/")
    return in_admin and request.endpoint != "admin.static"


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
