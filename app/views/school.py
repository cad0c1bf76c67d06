"""A school's own pages, under /<school_slug>/ and always in that school's tenant scope."""
from flask import g, render_template

from app import clock
from app.admin.trustee_safety import role_grants_for
from app.permissions import Permission, school_permission
from app.services.attendance_picture import school_attendance
from app.services.home import home_for
from app.services.qa import follow_ups, placement_qa_lines
from app.services.reviews import active_placements, placement_monitoring_lines
from app.services.schools import key_contacts_for
from tenants.web import school_blueprint

bp = school_blueprint("school", __name__)


@bp.route("/")
@school_permission(Permission.SCHOOL_VIEW)
def dashboard():
    permissions = g.school_permissions
    extra = {"home": home_for(permissions, g.school)}  # issue 16: each role's first things first
    # The review and QA cards show the same active placements: read once and handed to both (issue 18).
    placements = active_placements(clock.today()) \
        if Permission.REVIEWS_VIEW in permissions or Permission.QA_VIEW in permissions else None
    if Permission.REVIEWS_VIEW in permissions:  # 8.3: every active placement's last and next review
        extra["monitoring_lines"] = placement_monitoring_lines(placements=placements)
    if Permission.ATTENDANCE_VIEW in permissions:  # 4.5: unconfirmed today, pupils below the threshold
        extra["attendance"] = school_attendance(g.school)
    if Permission.QA_VIEW in permissions:  # 8.1, 8.6: last and next QA visits; overdue follow-ups
        extra["qa_lines"] = placement_qa_lines(placements=placements)
        extra["overdue_follow_ups"] = follow_ups(overdue_only=True)
    return render_template("school/dashboard.html", **extra)


@bp.route("/key-contacts")
@school_permission(Permission.KEY_CONTACTS_VIEW)
def key_contacts():
    return render_template("school/key_contacts.html", contacts=key_contacts_for(g.school),
                           role_grants=role_grants_for(g.school.id))
