"""Providers' attendance links (issue 6 item 3; policy 4.5, 7.8).

School side (`provider_links`, PROVIDER_LINKS_MANAGE): issue a link for one provider (the token shown once),
see the school's links, revoke one. Provider side (`provider_attendance`, public, no account): the page behind
a link lists only today's sessions of that school's pupils at that provider, by first name and initial, and
records each. It runs in the link's school scope; rate-limited; every use audited. Thin: app.services.provider_links.
"""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock, throttles
from app.extensions import db
from app.forms.provider_links import IssueLinkForm, LinkRecordForm
from app.permissions import Permission, public, school_permission
from app.services import provider_links as service
from app.services.attendance import Confirmation, ConfirmationRefused
from app.services.schools import school_by_id
from app.throttles import limiter
from tenants import school_scope
from tenants.web import school_blueprint

bp = school_blueprint("provider_links", __name__, url_prefix="/attendance/provider-links")
public_bp = Blueprint("provider_attendance", __name__, url_prefix="/provider-attendance")

UNAVAILABLE = "This attendance link is not valid. It may have expired or been withdrawn: ask the school for a new one."


# --- the school's side ---------------------------------------------------------------------------------------


def _links_page(form, new_token=None, new_link=None, emailed_to=None):
    return render_template("provider_links/index.html", form=form, links=service.school_links(),
                           state=service.link_state, new_token=new_token, new_link=new_link, emailed_to=emailed_to,
                           new_url=url_for("provider_attendance.page", token=new_token, _external=True)
                           if new_token else None)


@bp.route("/", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_LINKS_MANAGE)
def index():
    form = IssueLinkForm(providers=service.providers_with_active_placements())
    if request.method == "POST" and form.validate_on_submit():
        result = service.issue_link(form.provider_id.data, form.days.data, form.label.data, current_user,
                                    email_it=form.email_it.data)
        if result.ok:
            fresh = IssueLinkForm(providers=service.providers_with_active_placements(), formdata=None)
            recipient = service.link_recipient(result.link.provider) if form.email_it.data else None
            return _no_store(_links_page(fresh, result.token, result.link,
                                         emailed_to=f"{recipient[0]} ({recipient[1]})" if recipient else None))
        form.add_errors(result.errors)
    elif request.method == "POST" and form.days.errors:
        form.days.errors = [f"A link lasts from 1 to {service.MAX_DAYS} days: enter a whole number."]
    return _links_page(form)


@bp.route("/<int:link_id>/revoke", methods=["POST"])
@school_permission(Permission.PROVIDER_LINKS_MANAGE)
def revoke(link_id: int):
    link = service.revoke_link(link_id, current_user)
    flash(f"The link for {link.provider.name} is revoked: it no longer opens.", "success")
    return redirect(url_for("provider_links.index"))


# --- the provider's side -------------------------------------------------------------------------------------


def _no_store(body, status: int = 200):
    """The token is in the URL and the page lists pupils: never cached, never sent on as a referrer."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _unavailable():
    return _no_store(render_template("provider_links/unavailable.html", message=UNAVAILABLE), 404)


def _too_many():
    return _no_store(render_template("provider_links/unavailable.html",
                                     message="Too many requests from this link or address: wait a minute and try "
                                             "again."), 429)


# The page and its record form count together (a plain limit counts each route on its own, which let a link or an
# address make twice the requests the figures in app/throttles.py say).
per_link_limit = limiter.shared_limit(f"{throttles.PROVIDER_LINK_PER_LINK_PER_MINUTE} per minute", scope="provider-link",
                                      key_func=throttles.path_token_key, on_breach=lambda _limit: _too_many())
per_address_limit = limiter.shared_limit(f"{throttles.PROVIDER_LINK_PER_ADDRESS_PER_MINUTE} per minute",
                                         scope="provider-link-address", on_breach=lambda _limit: _too_many())


@public_bp.route("/<token>")
@per_link_limit
@per_address_limit
@public
def page(token: str):
    link = service.live_link(token)
    if link is None:
        return _unavailable()
    with school_scope(link.school_id):
        return _link_page(link, token, LinkRecordForm(), refused_id=None)


def _link_page(link, token, form, refused_id, status: int = 200):
    sessions = service.page_sessions(link)
    service.note_use(link, "view", request.remote_addr, f"{len(sessions)} session(s) listed")
    body = render_template("provider_links/page.html", link=link, token=token, sessions=sessions, form=form,
                           refused_id=refused_id, school=school_by_id(link.school_id),
                           provider=link.provider, today=clock.today())
    db.session.commit()
    return _no_store(body, status)


@public_bp.route("/<token>/sessions/<int:session_id>", methods=["POST"])
@per_link_limit
@per_address_limit
@public
def record(token: str, session_id: int):
    link = service.live_link(token)
    if link is None:
        return _unavailable()
    with school_scope(link.school_id):
        form = LinkRecordForm()
        if not form.validate_on_submit():
            return _link_page(link, token, form, refused_id=session_id, status=400)
        confirmation = Confirmation(form.outcome.data or None, "provider_link", form.minutes_late.data,
                                    form.absence_reason.data or None)
        try:
            service.record_by_link(link, session_id, confirmation, request.remote_addr)
        except service.NotThisLinks:
            service.note_use(link, "record_refused", request.remote_addr, f"session {session_id} is not this link's")
            db.session.commit()
            return _unavailable()
        except ConfirmationRefused as refused:
            form.add_errors(refused.errors)
            return _link_page(link, token, form, refused_id=session_id, status=400)
    flash("Thank you: recorded.", "success")
    return redirect(url_for("provider_attendance.page", token=token))
