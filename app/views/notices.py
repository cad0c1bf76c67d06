"""External notices: what the school sent to the LA, the Virtual School, social workers and parents, and when
(so the school can show it informed them)."""
from flask import g, render_template, request

from app.permissions import Permission, school_permission
from app.services.notifications import external_notices
from tenants.web import school_blueprint

bp = school_blueprint("notices", __name__)


@bp.route("/notices")
@school_permission(Permission.EXTERNAL_NOTICES_VIEW)
def index():
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    return render_template("school/notices.html", listing=external_notices(page=page),
                           bodies=Permission.EXTERNAL_NOTICE_BODIES_VIEW in g.school_permissions)
