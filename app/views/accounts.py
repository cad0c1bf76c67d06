"""Invitations, password resets, changing one's password (issue 13 item 7), and the headteacher's list of who
has access to the school, where a leaver is removed. Thin: app.services.accounts does the work."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from app import throttles
from app.forms.accounts import ChangePasswordForm, ForgotPasswordForm, RemoveLeaverForm, SetPasswordForm
from app.models import AccountTokenPurpose
from app.permissions import Permission, public, school_permission, signed_in
from app.services import accounts as service
from app.services import user_sessions
from app.throttles import limiter
from tenants.web import school_blueprint

bp = Blueprint("accounts", __name__)
# One count for invitation and reset links together (a plain limit counts each route on its own, which let an
# address try twice as many guesses as ACCOUNT_LINK_PER_ADDRESS_PER_MINUTE says).
account_links_limit = limiter.shared_limit(f"{throttles.ACCOUNT_LINK_PER_ADDRESS_PER_MINUTE} per minute",
                                           scope="account-link-address")
staff_bp = school_blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(f"{throttles.PASSWORD_RESET_PER_ADDRESS_PER_HOUR} per hour", methods=["POST"], scope="reset-address",
               error_message="Too many reset requests from your network. Wait a while and try again.")
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        return render_template("accounts/forgot.html", form=form, sent=form.email.data.strip())
    return render_template("accounts/forgot.html", form=form, sent=None)


def _set_password_page(raw: str, purpose: AccountTokenPurpose, heading: str, done: str):
    token = service.usable_token(raw, purpose)
    if token is None:
        return render_template("accounts/link_unusable.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        result = service.set_password_with_link(raw, purpose, form.password.data, form.confirm.data)
        if result.ok:
            flash(done, "success")
            return redirect(url_for("auth.sign_in"))
        if "token" in result.errors:
            return render_template("accounts/link_unusable.html"), 404
        form.add_errors(result.errors)
    return render_template("accounts/set_password.html", form=form, heading=heading, email=token.user.email)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@account_links_limit
@public
def accept_invitation(token: str):
    return _set_password_page(token, AccountTokenPurpose.INVITATION, "Set your password",
                              "Your password is set. Sign in with your email address and your new password.")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@account_links_limit
@public
def reset_password(token: str):
    return _set_password_page(token, AccountTokenPurpose.PASSWORD_RESET, "Choose a new password",
                              "Your password is changed and you are signed out everywhere. Sign in with it now.")


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        result = service.change_password(current_user, form.current_password.data, form.new_password.data,
                                         form.confirm.data)
        if result.ok:
            # Every session ended with the change; this device carries on in a new one.
            user = result.user
            user.session_key = user_sessions.open_session(user, request.user_agent.string, request.remote_addr)
            user_sessions.fresh_cookie()
            login_user(user)
            flash("Your password is changed. You are signed out on every other device.", "success")
            return redirect(url_for("account.settings"))
        form.add_errors(result.errors)
    return render_template("accounts/change_password.html", form=form)


@staff_bp.route("/")
@school_permission(Permission.STAFF_MANAGE)
def index():
    return render_template("staff/index.html", staff=service.school_staff(g.school.id), form=RemoveLeaverForm())


@staff_bp.route("/<int:user_id>/remove", methods=["POST"])
@school_permission(Permission.STAFF_MANAGE)
def remove(user_id: int):
    if not RemoveLeaverForm().validate_on_submit():
        abort(400)
    person = service.remove_from_school(user_id, g.school.id, by=current_user)
    if person is None:
        abort(404)  # not someone with a role here (or yourself)
    flash(f"{person.full_name} no longer has access to {g.school.name}"
          + ("; their account is switched off." if not person.is_enabled else "."), "success")
    return redirect(url_for("staff.index"))
