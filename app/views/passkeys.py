"""Passkeys (issue 13 item 8): adding and removing them on the two-factor page, and using one after the
password instead of an app code. Each ceremony is two requests: the browser asks for options (JSON, made by
app.services.passkeys with a challenge kept on the server), runs navigator.credentials in
app/static/passkeys.js, and posts the answer back as an ordinary form. Thin: the service does the work."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, session, url_for
from flask_login import current_user

from app import throttles
from app.forms.two_factor import AddPasskeyForm, CodeForm, RemovePasskeyForm, UsePasskeyForm
from app.permissions import public, signed_in
from app.services import passkeys, two_factor
from app.services.passkeys import PasskeyRefused
from app.throttles import limiter
from app.views.auth import PENDING, finish_sign_in
from app.views.two_factor import (
    account_page,
    count_wrong_answer,
    enrolment_page,
    no_pending_sign_in,
    pending_user,
    render_challenge,
)

bp = Blueprint("passkeys", __name__)

REGISTER_HANDLE = "passkey_register"  # the session keys naming the server-side challenge of each ceremony
SIGN_IN_HANDLE = "passkey_sign_in"
NO_ANSWER = "Your browser did not give a passkey. Use a browser that supports passkeys, with JavaScript on."


def _options(handle_key: str, made: tuple[str, str]):
    handle, options = made
    session[handle_key] = handle
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/account/passkeys/options", methods=["POST"])
@signed_in
def registration_options():
    return _options(REGISTER_HANDLE, passkeys.registration_options(current_user))


@bp.route("/account/passkeys", methods=["POST"])
@signed_in
def add():
    form = AddPasskeyForm(prefix="passkey")
    if not form.validate_on_submit():
        return account_page(add_form=form, status=400)
    if not form.credential.data:
        form.add_errors({"name": NO_ANSWER})
        return account_page(add_form=form, status=400)
    first = not two_factor.has_second_factor(current_user)
    try:
        key = passkeys.register(current_user, session.pop(REGISTER_HANDLE, None), form.name.data,
                                form.credential.data)
    except PasskeyRefused as refused:
        form.add_errors({"name": refused.message})
        return account_page(add_form=form, status=400)
    codes = two_factor.first_recovery_codes(current_user) if first else None
    if codes:
        return render_template("two_factor/recovery_codes.html", codes=codes, next_url=url_for("two_factor.account"))
    flash(f"Passkey “{key.name}” added: you can use it to sign in.", "success")
    return redirect(url_for("two_factor.account"))


@bp.route("/account/passkeys/<int:passkey_id>/remove", methods=["POST"])
@signed_in
def remove(passkey_id: int):
    if not RemovePasskeyForm(prefix="remove").validate_on_submit():
        return redirect(url_for("two_factor.account"))
    key = passkeys.remove(current_user, passkey_id)
    if key is None:
        abort(404)
    flash(f"Passkey “{key.name}” removed: it no longer signs you in.", "success")
    return redirect(url_for("two_factor.account"))


@bp.route("/sign-in/two-factor/new-passkey/options", methods=["POST"])
@limiter.limit(f"{throttles.PASSKEY_PER_ADDRESS_PER_MINUTE} per minute", scope="passkey-enrol-options-address")
@public
def first_options():
    """At a first sign-in that must set up two-factor: a passkey instead of an authenticator app."""
    user = pending_user()
    if user is None or two_factor.has_second_factor(user):
        return jsonify(error="Sign in with your email address and password first."), 400
    return _options(REGISTER_HANDLE, passkeys.registration_options(user))


@bp.route("/sign-in/two-factor/new-passkey", methods=["POST"])
@limiter.limit(f"{throttles.PASSKEY_PER_ADDRESS_PER_MINUTE} per minute", scope="passkey-enrol-address")
@public
def first_passkey():
    user = pending_user()
    if user is None:
        return no_pending_sign_in()
    if two_factor.has_second_factor(user):
        return redirect(url_for("two_factor.challenge"))
    form = AddPasskeyForm(prefix="passkey")
    if form.validate_on_submit() and not form.credential.data:
        form.add_errors({"name": NO_ANSWER})
    elif form.validate_on_submit():
        try:
            passkeys.register(user, session.pop(REGISTER_HANDLE, None), form.name.data, form.credential.data)
        except PasskeyRefused as refused:
            form.add_errors({"name": refused.message})
        else:
            codes = two_factor.first_recovery_codes(user) or []
            page = render_template("two_factor/recovery_codes.html", codes=codes,
                                   next_url=session[PENDING].get("next"))
            return finish_sign_in(user, response=page)
    return enrolment_page(user, CodeForm(formdata=None), url_for("two_factor.challenge"), add_form=form), 400


@bp.route("/sign-in/two-factor/passkey-options", methods=["POST"])
@limiter.limit(f"{throttles.PASSKEY_PER_ADDRESS_PER_MINUTE} per minute", scope="passkey-options-address")
@public
def sign_in_options():
    user = pending_user()
    if user is None or not passkeys.has_passkey(user):
        return jsonify(error="Sign in with your email address and password first."), 400
    return _options(SIGN_IN_HANDLE, passkeys.sign_in_options(user))


@bp.route("/sign-in/two-factor/passkey", methods=["POST"])
@limiter.limit(f"{throttles.PASSKEY_PER_ADDRESS_PER_MINUTE} per minute", scope="passkey-address")
@public
def sign_in():
    user = pending_user()
    if user is None:
        return no_pending_sign_in()
    form = UsePasskeyForm(prefix="passkey")
    if not form.validate_on_submit() or not form.credential.data:
        form.add_errors({"passkey": NO_ANSWER})
        return render_challenge(user, CodeForm(formdata=None), form, status=400)
    try:
        passkeys.verify_sign_in(user, session.pop(SIGN_IN_HANDLE, None), form.credential.data)
    except PasskeyRefused as refused:
        if (again := count_wrong_answer()) is not None:
            return again
        form.add_errors({"passkey": refused.message})
        return render_challenge(user, CodeForm(formdata=None), form, status=400)
    return finish_sign_in(user, session[PENDING].get("next"))
