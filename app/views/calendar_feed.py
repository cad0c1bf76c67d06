"""A person's private calendar feed (issue 7 item 7): made and revoked from their account page; the feed itself is
fetched by calendar programs with the URL's token and no session. Thin: app.services.calendar_feed does the work."""
from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from app import throttles
from app.forms.base import FlaskForm
from app.permissions import public, signed_in
from app.services import calendar_feed as service
from app.throttles import limiter

bp = Blueprint("calendar_feed", __name__, url_prefix="/account/calendar-feed")
public_bp = Blueprint("calendar_feed_public", __name__, url_prefix="/calendar-feeds")


@bp.route("/", methods=["POST"])
@signed_in
def create():
    if not FlaskForm().validate_on_submit():
        abort(400)
    token = service.create_feed(current_user)
    return render_template("calendar_feed/created.html",
                           feed_url=url_for("calendar_feed_public.feed", token=token, _external=True))


@bp.route("/revoke", methods=["POST"])
@signed_in
def revoke():
    if FlaskForm().validate_on_submit() and service.revoke_feed(current_user):
        flash("Your calendar feed is revoked: its address no longer works.", "success")
    return redirect(url_for("account.settings"))


@public_bp.route("/<token>.ics")
@limiter.limit(f"{throttles.CALENDAR_FEED_PER_FEED_PER_HOUR} per hour", key_func=throttles.path_token_key,
               scope="calendar-feed")
@limiter.limit(f"{throttles.CALENDAR_FEED_PER_ADDRESS_PER_MINUTE} per minute", scope="calendar-feed-address")
@public  # the URL's token is the credential: calendar programs have no session
def feed(token: str):
    found = service.feed_for_token(token)
    if found is None:
        abort(404)  # unknown and revoked look the same
    response = make_response(service.feed_ics(found))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.app_template_global("calendar_feed_of")
def _calendar_feed_of(user):
    """The account page shows whether the person has a live feed (calendar_feed/_account.html)."""
    return service.live_feed(user)


@bp.app_template_global("calendar_feed_form")
def _calendar_feed_form():
    return FlaskForm()
