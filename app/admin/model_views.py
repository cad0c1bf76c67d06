"""The admin's views of the trust, schools, local authorities, people and roles, and the audit trail."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from wtforms import PasswordField
from wtforms.validators import Optional, ValidationError

from app.admin import trustee_safety
from app.admin.base import TrusteeModelView
from app.extensions import db
from app.services import accounts
from app.services.passwords import password_problem
from tenants.web import school_slug_problem


def _slug_names_no_other_address(form, field) -> None:
    problem = school_slug_problem((field.data or "").strip(), current_app.url_map)
    if problem:
        raise ValidationError(problem)


def _acceptable_password(form, field) -> None:
    problem = password_problem(field.data or "", email=form.email.data or "", full_name=form.full_name.data or "")
    if problem:
        raise ValidationError(problem)


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
    simple_list_pager = True  # the trail only grows: no count of all of it on every page (issue 18)
    column_default_sort = ("at", True)
    column_list = ("at", "actor_id", "school_id", "action", "record_type", "record_id", "detail")
    column_filters = ("action", "record_type", "school_id", "actor_id")
    column_labels = {"actor_id": "Who", "school_id": "School"}
    column_formatters = {"actor_id": trustee_safety.person_name("actor_id"),
                         "school_id": trustee_safety.school_name("school_id")}
    column_formatters_detail = column_formatters
