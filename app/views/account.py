"""A person's own settings: API tokens and how they get prompts."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from app.forms.account import (
    NewApiTokenForm,
    NotificationPreferenceForm,
    RevokeApiTokenForm,
    SendTestEmailForm,
    SignOutEverywhereForm,
)
from app.permissions import signed_in
from app.services import api_tokens, user_sessions
from app.services.account import set_notification_preference
from app.services.notifications import send_test_email

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/", methods=["GET", "POST"])
@signed_in
def settings():
    pref_form = NotificationPreferenceForm(prefix="pref", preference=current_user.notification_preference.value)
    token_form = NewApiTokenForm(prefix="token")
    new_token = None
    if pref_form.submit.data and pref_form.validate_on_submit():
        set_notification_preference(current_user, pref_form.preference.data)
        flash("Your notification preference is saved.", "success")
        return redirect(url_for("account.settings"))
    if token_form.create.data and token_form.validate_on_submit():
        new_token = api_tokens.issue(current_user, token_form.name.data)
    return render_template("account/settings.html", pref_form=pref_form, token_form=token_form,
                           revoke_form=RevokeApiTokenForm(), new_token=new_token,
                           test_email_form=SendTestEmailForm(prefix="test_email"),
                           tokens=api_tokens.for_user(current_user),
                           user_sessions=user_sessions.active_for(current_user),
                           this_session_hash=user_sessions.key_hash(current_user.session_key),
                           sign_out_everywhere_form=SignOutEverywhereForm(prefix="everywhere"))


@bp.route("/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    if SignOutEverywhereForm(prefix="everywhere").validate_on_submit():
        user_sessions.sign_out_everywhere(current_user)
        logout_user()
        user_sessions.fresh_cookie()
        flash("You have signed out on every device.", "info")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("account.settings"))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int):
    form = RevokeApiTokenForm()
    if form.validate_on_submit():
        api_tokens.revoke(current_user, token_id)
        flash("The token is revoked: it no longer works.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/test-email", methods=["POST"])
@signed_in
def test_email():
    if SendTestEmailForm(prefix="test_email").validate_on_submit():
        send_test_email(current_user)
        flash(f"A test email is on its way to {current_user.email}. It normally arrives within a few minutes; "
              "if it does not, check your junk folder, then tell your school's AP leader.", "success")
    return redirect(url_for("account.settings"))
