"""A school's own pages, under /<school_slug>/ and always in that school's tenant scope."""
from flask import g, render_template

from app.admin.trustee_safety import role_grants_for
from app.permissions import Permission, school_permission
from app.services.home import home_for
from app.services.qa import follow_ups
from app.services.school_dashboard import dashboard_cards
from app.services.schools import key_contacts_for
from tenants.web import school_blueprint

bp = school_blueprint("school", __name__)


@bp.route("/")
@school_permission(Permission.SCHOOL_VIEW)
def dashboard():
    permissions = g.school_permissions
    extra = {"home": home_for(permissions, g.school)}  # issue 16: each role's first things first
    # The review, QA, attendance, part-time and flexi cards read together: one statement for their counts (issue 18).
    extra.update(dashboard_cards(permissions, g.school))
    if Permission.QA_VIEW in permissions:  # 8.6: overdue follow-ups
        extra["overdue_follow_ups"] = follow_ups(overdue_only=True)
    return render_template("school/dashboard.html", **extra)


@bp.route("/key-contacts")
@school_permission(Permission.KEY_CONTACTS_VIEW)
def key_contacts():
    return render_template("school/key_contacts.html", contacts=key_contacts_for(g.school),
                           role_grants=role_grants_for(g.school.id))
