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
from app.forms.two_factor import AddPasskeyForm, CodeForm, NewRecoveryCodesForm, RemovePasskeyForm, UsePasskeyForm
from app.models import User
from app.permissions import public, signed_in
from app.services import passkeys
from app.services import sign_in as sign_in_service
from app.services import two_factor as service
from app.throttles import limiter
from app.views.auth import PENDING, finish_sign_in

bp = Blueprint("two_factor", __name__)

PENDING_FOR = timedelta(minutes=10)  # between the password and the code
MAX_WRONG_CODES = 5  # then the password is asked for again


def pending_user() -> User | None:
    """The person between the password and the second step, within PENDING_FOR."""
    pending = session.get(PENDING)
    if not pending or now().timestamp() - pending.get("at", 0) > PENDING_FOR.total_seconds():
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.is_active else None


def enrolment_page(user: User, form: CodeForm, action: str, add_form: AddPasskeyForm | None = None):
    secret = service.pending_secret(user)
    uri = service.provisioning_uri(user, secret)
    # From the account page (signed in) the passkeys are listed here too; at a first sign-in, a passkey may be set
    # up instead of the app (app/views/passkeys.py).
    if current_user.is_authenticated:
        section = _passkeys_section(add_form)
    else:
        section = {"first_passkey_form": add_form or AddPasskeyForm(prefix="passkey", formdata=None)}
    return render_template("two_factor/enrol.html", form=form, secret=secret, action=action,
                           qr=service.qr_code_svg_data_uri(uri),
                           mandatory=service.required(user), **section)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@limiter.limit(f"{throttles.TWO_FACTOR_PER_ADDRESS_PER_MINUTE} per minute", methods=["POST"],
               scope="two-factor-address")
@public
def challenge():
    user = pending_user()
    if user is None:
        return no_pending_sign_in()
    form = CodeForm()
    enrolling = not service.has_second_factor(user)
    if form.validate_on_submit():
        pending = session[PENDING]
        if enrolling:
            codes = service.confirm_enrolment(user, form.code.data)
            if codes is not None:
                page = render_template("two_factor/recovery_codes.html", codes=codes, next_url=pending.get("next"))
                return finish_sign_in(user, response=page)
        elif service.verify(user, form.code.data):
            return finish_sign_in(user, pending.get("next"))
        if (again := count_wrong_answer()) is not None:
            return again
        form.add_errors({"code": "That code is not right. Codes change every 30 seconds: type the one your app "
                                 "shows now, or one of your recovery codes."})
    if enrolling:
        return enrolment_page(user, form, url_for("two_factor.challenge"))
    return render_challenge(user, form)


def no_pending_sign_in():
    session.pop(PENDING, None)
    if request.method == "GET":
        return render_template("two_factor/sign_in_first.html")
    flash("Sign in again: it has been too long since you entered your password.", "info")
    return redirect(url_for("auth.sign_in"))


def count_wrong_answer():
    """One more wrong code or refused passkey for this pending sign-in, counted against the account like a
    wrong password (app.services.sign_in); past MAX_WRONG_CODES, the password is asked for again (returns that
    redirect), and its waits then apply."""
    pending = session[PENDING]
    sign_in_service.second_step_failed(db.session.get(User, pending["user_id"]), request.remote_addr)
    pending["failures"] = pending.get("failures", 0) + 1
    session[PENDING] = pending
    if pending["failures"] >= MAX_WRONG_CODES:
        session.pop(PENDING, None)
        flash("Too many wrong codes: sign in again.", "error")
        return redirect(url_for("auth.sign_in"))
    return None


def render_challenge(user: User, form: CodeForm, passkey_form: UsePasskeyForm | None = None, status: int = 200):
    """The second step's page: a code from the app (or a recovery code), and a passkey where the person has one."""
    with_passkey = passkeys.has_passkey(user)
    return render_template("two_factor/challenge.html", form=form, with_app=service.enrolled(user),
                           with_passkey=with_passkey,
                           passkey_form=passkey_form or (UsePasskeyForm(prefix="passkey") if with_passkey else None)
                           ), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def account():
    form = CodeForm()
    if service.enrolled(current_user):
        return account_page()
    if form.validate_on_submit():
        codes = service.confirm_enrolment(current_user, form.code.data)
        if codes is not None:
            return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("account.settings"))
        form.add_errors({"code": "That code is not right. Type the code your app shows now."})
    return enrolment_page(current_user, form, url_for("two_factor.account"))


def account_page(add_form: AddPasskeyForm | None = None, status: int = 200):
    """The two-factor page of a person with an app: recovery codes and passkeys. Without an app, the
    enrolment page carries the passkeys instead."""
    if not service.enrolled(current_user):
        return enrolment_page(current_user, CodeForm(formdata=None), url_for("two_factor.account"),
                               add_form=add_form), status
    return render_template("two_factor/account.html", renew_form=NewRecoveryCodesForm(prefix="renew"),
                           codes_left=service.recovery_codes_left(current_user),
                           **_passkeys_section(add_form)), status


def _passkeys_section(add_form: AddPasskeyForm | None) -> dict:
    return {"passkeys": passkeys.for_user(current_user), "remove_form": RemovePasskeyForm(prefix="remove"),
            "add_form": add_form or AddPasskeyForm(prefix="passkey", formdata=None)}


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in
def new_recovery_codes():
    if not service.enrolled(current_user) or not NewRecoveryCodesForm(prefix="renew").validate_on_submit():
        return redirect(url_for("two_factor.account"))
    codes = service.renew_recovery_codes(current_user)
    return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("account.settings"))
