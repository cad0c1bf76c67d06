"""Two-factor sign-in (issue 13 item 8): the code step after the password, enrolling an authenticator app (at
first sign-in for the roles that must, or from the account page), and recovery codes. Thin:
app.services.two_factor does the work."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app import throttles
from app.clock import now
from app.extensions import db
from app.forms.two_factor import CodeForm, NewRecoveryCodesForm
from app.models import User
from app.permissions import public, signed_in
from app.services import two_factor as service
from app.throttles import limiter
from app.views.auth import PENDING, finish_sign_in

bp = Blueprint("two_factor", __name__)

PENDING_FOR = timedelta(minutes=10)  # between the password and the code
MAX_WRONG_CODES = 5  # then the password is asked for again


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or now().timestamp() - pending.get("at", 0) > PENDING_FOR.total_seconds():
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.is_active else None


def _enrolment_page(user: User, form: CodeForm, action: str):
    secret = service.pending_secret(user)
    uri = service.provisioning_uri(user, secret)
    return render_template("two_factor/enrol.html", form=form, secret=secret, action=action,
                           qr=service.qr_code_svg_data_uri(uri),
                           mandatory=service.required(user))


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@limiter.limit(f"{throttles.TWO_FACTOR_PER_ADDRESS_PER_MINUTE} per minute", methods=["POST"],
               scope="two-factor-address")
@public
def challenge():
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        if request.method == "GET":
            return render_template("two_factor/sign_in_first.html")
        flash("Sign in again: it has been too long since you entered your password.", "info")
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    enrolling = not service.enrolled(user)
    if form.validate_on_submit():
        pending = session[PENDING]
        if enrolling:
            codes = service.confirm_enrolment(user, form.code.data)
            if codes is not None:
                page = render_template("two_factor/recovery_codes.html", codes=codes, next_url=pending.get("next"))
                return finish_sign_in(user, response=page)
        elif service.verify(user, form.code.data):
            return finish_sign_in(user, pending.get("next"))
        pending["failures"] = pending.get("failures", 0) + 1
        session[PENDING] = pending
        if pending["failures"] >= MAX_WRONG_CODES:
            session.pop(PENDING, None)
            flash("Too many wrong codes: sign in again.", "error")
            return redirect(url_for("auth.sign_in"))
        form.add_errors({"code": "That code is not right. Codes change every 30 seconds: type the one your app "
                                 "shows now, or one of your recovery codes."})
    if enrolling:
        return _enrolment_page(user, form, url_for("two_factor.challenge"))
    return render_template("two_factor/challenge.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def account():
    form = CodeForm()
    if service.enrolled(current_user):
        renew = NewRecoveryCodesForm(prefix="renew")
        return render_template("two_factor/account.html", renew_form=renew,
                               codes_left=service.recovery_codes_left(current_user))
    if form.validate_on_submit():
        codes = service.confirm_enrolment(current_user, form.code.data)
        if codes is not None:
            return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("account.settings"))
        form.add_errors({"code": "That code is not right. Type the code your app shows now."})
    return _enrolment_page(current_user, form, url_for("two_factor.account"))


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in
def new_recovery_codes():
    if not service.enrolled(current_user) or not NewRecoveryCodesForm(prefix="renew").validate_on_submit():
        return redirect(url_for("two_factor.account"))
    codes = service.renew_recovery_codes(current_user)
    return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("account.settings"))
