"""The trust area: cross-school oversight for trust roles. Every entry is a recorded cross-school read."""
from flask import Blueprint, render_template
from flask_login import current_user

from app.permissions import Permission, trust_permission
from app.services.placements import trust_placements
from app.services.trust_overview import trust_overview
from tenants import trust_scope

bp = Blueprint("trust", __name__, url_prefix="/trust")


@bp.route("/")
@trust_permission(Permission.TRUST_VIEW)
def index():
    with trust_scope(current_user.id, "trust overview: schools, key contacts and role holders"):
        overview = trust_overview()
    return render_template("trust/index.html", overview=overview)


@bp.route("/placements")
@trust_permission(Permission.TRUST_PLACEMENTS_VIEW)
def placements():
    """Every planned and active placement across the schools: the trust safeguarding lead's view."""
    with trust_scope(current_user.id, "trust placements: every planned and active placement"):
        lines = trust_placements()
    return render_template("trust/placements.html", lines=lines)
