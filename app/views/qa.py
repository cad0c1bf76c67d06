"""Quality assurance pages (8.1, 8.4-8.7): the providers' planned visits and the school's QA records, recording a
visit or another QA activity with its follow-up actions, an action's page (done or cancelled), and recording a
pupil's progress and voice. Thin: parse, call app.services.qa, render."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.qa import ACTION_ROWS, FollowUpForm, FollowUpStatusForm, ProgressForm, QAActivityForm
from app.input_edges import id_arg
from app.models import FollowUpStatus
from app.permissions import Permission, school_permission
from app.policy.qa import may_change_follow_up
from app.services import qa as service
from tenants.web import school_blueprint

bp = school_blueprint("qa", __name__)


@bp.route("/qa")
@school_permission(Permission.QA_VIEW)
def index():
    return render_template("qa/index.html", visits=service.provider_visit_lines(), records=service.activities(),
                           follow_ups=service.follow_ups(FollowUpStatus.OPEN), today=clock.today(),
                           service=service)


def _activity_form():
    return QAActivityForm(providers=service.providers_placed_with(), placements=service.placements_for_qa(),
                          staff=service.school_staff())


@bp.route("/qa/new", methods=["GET", "POST"])
@school_permission(Permission.QA_RECORD)
def new_activity():
    form = _activity_form()
    if form.validate_on_submit():
        result = service.record_activity(form.data_in(), by=current_user, school=g.school)
        if result.ok:
            flash("The quality assurance record is saved." + (
                " The concern about the provider is raised: other schools using it and the trust are told."
                if result.record.provider_concern_id else ""), "success")
            return redirect(url_for("qa.show_activity", qa_activity_id=result.record.id))
        form.add_errors(result.errors)
    elif not form.is_submitted():
        form.held_on.data = clock.today()
        form.kind.data = "provider_visit"
        form.provider_id.data = id_arg("provider_id")
    return render_template("qa/new.html", form=form, action_rows=range(ACTION_ROWS))


@bp.route("/qa/<int:qa_activity_id>")
@school_permission(Permission.QA_VIEW)
def show_activity(qa_activity_id: int):
    activity = service.access_activity(qa_activity_id)
    return render_template("qa/show.html", activity=activity, form=FollowUpForm(staff=service.school_staff()),
                           service=service, today=clock.today())


@bp.route("/qa/<int:qa_activity_id>/follow-ups", methods=["POST"])
@school_permission(Permission.QA_RECORD)
def add_follow_up(qa_activity_id: int):
    activity = service.access_activity(qa_activity_id)
    form = FollowUpForm(staff=service.school_staff())
    if form.validate_on_submit():
        result = service.add_follow_up(activity, form.data_in())
        if result.ok:
            flash("The follow-up action is added; its owner has it in their tasks.", "success")
            return redirect(url_for("qa.show_activity", qa_activity_id=activity.id))
        form.add_errors(result.errors)
    return render_template("qa/show.html", activity=activity, form=form, service=service, today=clock.today())


@bp.route("/follow-ups")
@school_permission(Permission.QA_VIEW)
def follow_ups():
    return render_template("qa/follow_ups.html", actions=service.follow_ups(), service=service, today=clock.today())


@bp.route("/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@school_permission(Permission.QA_VIEW)
def follow_up(follow_up_id: int):
    action = service.access_follow_up(follow_up_id)
    may_change = may_change_follow_up(Permission.QA_RECORD in g.school_permissions, action.owner_id == current_user.id)
    form = FollowUpStatusForm() if may_change else None
    if request.method == "POST" and not may_change:
        abort(403)
    if form is not None and form.validate_on_submit():
        result = service.set_follow_up_status(action, form.status.data or None, form.outcome_note.data, current_user)
        if result.ok:
            flash(f"The follow-up action is {action.status.value}.", "success")
            return redirect(url_for("qa.follow_up", follow_up_id=action.id))
        form.add_errors(result.errors)
        action = service.access_follow_up(follow_up_id)
    return render_template("qa/follow_up.html", action=action, form=form, service=service, today=clock.today())


@bp.route("/pupils/<int:pupil_id>/progress/new", methods=["GET", "POST"])
@school_permission(Permission.PROGRESS_RECORD)
def new_progress(pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    form = ProgressForm(placements=service.pupil_placements(pupil))
    if form.validate_on_submit():
        result = service.record_progress(pupil, form.data_in(), by=current_user)
        if result.ok:
            flash("Recorded: it is on the pupil's timeline.", "success")
            return redirect(url_for("pupils.show", pupil_id=pupil.id))
        form.add_errors(result.errors)
    elif not form.is_submitted():
        form.recorded_on.data = clock.today()
    return render_template("qa/progress_new.html", form=form, pupil=pupil, entries=service.progress_of(pupil),
                           labels=service.PROGRESS_LABELS)
