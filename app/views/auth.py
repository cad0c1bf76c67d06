"""Signing in and out, and the home page that sends each person where they work."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import text

from app import throttles
from app.clock import now
from app.extensions import db
from app.forms.auth import SignInForm
from app.permissions import Permission, has_trust_permission, public, signed_in
from app.services import sign_in as sign_in_service
from app.services import two_factor, user_sessions
from app.services.schools import schools_for_user
from app.services.sign_in import SignInRefused
from app.services.sign_in import sign_in as sign_in_user
from app.services.tasks import open_task_counts
from app.throttles import limiter

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(f"{throttles.SIGN_IN_PER_ADDRESS_PER_MINUTE} per minute;{throttles.SIGN_IN_PER_ADDRESS_PER_HOUR} per hour",
               methods=["POST"], scope="sign-in-address",
               error_message="Too many sign-in attempts from your network. Wait a minute and try again.")
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = SignInForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            user = sign_in_user(form.email.data, form.password.data, request.remote_addr)
        except SignInRefused as refused:
            error, status = refused.message, refused.status
        else:
            next_url = _safe_next(request.args.get("next"))
            if two_factor.has_second_factor(user) or two_factor.required(user):
                # The password is right; the second step (or enrolling an app) comes before any session.
                user_sessions.fresh_cookie()
                session[PENDING] = {"user_id": user.id, "at": now().timestamp(), "next": next_url, "failures": 0}
                return redirect(url_for("two_factor.challenge"))
            return finish_sign_in(user, next_url)
    return render_template("auth/sign_in.html", form=form, error=error), status


PENDING = "two_factor_pending"


def finish_sign_in(user, next_url: str | None = None, response=None):
    """A fresh cookie and a fresh server-side session: nothing from before sign-in carries over."""
    sign_in_service.forget_failures(user)
    user.session_key = user_sessions.open_session(user, request.user_agent.string, request.remote_addr)
    user_sessions.fresh_cookie()
    login_user(user)
    return response if response is not None else redirect(next_url or url_for("auth.home"))


def _safe_next(target: str | None) -> str | None:
    # Only a path on this site: never an absolute URL an attacker chose. Browsers read a backslash as a slash
    # and drop tabs and newlines, so those could turn "/x" into "//evil.example" on the way: refuse them too.
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    user_sessions.close_session(current_user)
    logout_user()
    user_sessions.fresh_cookie()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/")
@signed_in
def home():
    schools = schools_for_user(current_user)
    if len(schools) == 1 and not has_trust_permission(current_user, Permission.TRUST_VIEW):
        return redirect(url_for("school.dashboard", school_slug=schools[0].slug))
    return render_template("auth/choose_school.html", schools=schools,
                           task_counts=open_task_counts(current_user, [s.id for s in schools]),
                           trust_access=has_trust_permission(current_user, Permission.TRUST_VIEW),
                           admin_access=has_trust_permission(current_user, Permission.TRUST_ADMIN))


@bp.route("/health")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says: AP Hub's own icon (not GOV.UK's crown)."""
    return current_app.send_static_file("favicon.ico")
