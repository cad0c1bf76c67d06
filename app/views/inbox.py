"""A person's inbox in one school: their open tasks, most urgent first, each linking to where it is acted on."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from app.permissions import Permission, school_permission
from app.services.tasks import TaskNotDoneHere, TaskNotFound, inbox_for
from app.services.tasks import mark_done as mark_task_done
from tenants.web import school_blueprint

bp = school_blueprint("inbox", __name__)


@bp.route("/inbox")
@school_permission(Permission.TASKS_VIEW)
def index():
    return render_template("school/inbox.html", items=inbox_for(current_user, g.school))


@bp.route("/inbox/<int:task_id>/done", methods=["POST"])
@school_permission(Permission.TASKS_VIEW)
def mark_done(task_id: int):
    try:
        task = mark_task_done(current_user, g.school, task_id)
    except TaskNotFound:
        abort(404)
    except TaskNotDoneHere as refused:
        flash(str(refused), "error")
    else:
        flash(f"Done: {task.title}", "success")
    return redirect(url_for("inbox.index"))
