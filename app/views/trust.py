"""The trust area: cross-school oversight for trust roles. Every entry is a recorded cross-school read."""
from flask import Blueprint, render_template, request
from flask_login import current_user

from app.permissions import Permission, has_trust_permission, trust_permission
from app.policy.oversight_thresholds import Measure
from app.services.placements import trust_placements
from app.services.trust_dashboard import trend_charts, trust_dashboard
from app.services.trust_overview import trust_overview
from tenants import trust_scope

bp = Blueprint("trust", __name__, url_prefix="/trust")


@bp.route("/")
@trust_permission(Permission.TRUST_VIEW)
def index():
    """The trust dashboard (issue 16 item 2): one row per school, coloured by the oversight thresholds."""
    # Asked before the audited read commits (a commit expires the user, and asking after it reloaded them).
    can_safeguard = has_trust_permission(current_user, Permission.TRUST_SAFEGUARDING_VIEW)
    with trust_scope(current_user.id, "trust overview: the dashboard of every school's figures"):
        dashboard = trust_dashboard()
        return render_template("trust/index.html", dashboard=dashboard, charts=trend_charts(dashboard),
                               measures=Measure, can_safeguard=can_safeguard)


@bp.route("/contacts")
@trust_permission(Permission.TRUST_VIEW)
def contacts():
    with trust_scope(current_user.id, "trust overview: schools, key contacts and role holders"):
        overview = trust_overview()
    return render_template("trust/contacts.html", overview=overview)


@bp.route("/placements")
@trust_permission(Permission.TRUST_PLACEMENTS_VIEW)
def placements():
    """Every planned and active placement across the schools (or one school's), a page at a time: the trust
    safeguarding lead's view."""
    school_id = request.args.get("school", type=int)
    page = request.args.get("page", 1, type=int)
    with trust_scope(current_user.id, "trust placements: every planned and active placement"):
        listing = trust_placements(school_id=school_id, page=page)
    return render_template("trust/placements.html", listing=listing)
