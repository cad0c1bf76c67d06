"""Complaints about how the AP policy was applied (policy 11.1), the headteacher's monitoring of the policy (12.1),
and the trust's record of the policy's review (12.2). Thin: parse, call app.services.complaints, render."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from app.forms.oversight import AdoptionForm, ComplaintCloseForm, ComplaintForm, ComplaintStageForm, MonitoringForm
from app.permissions import Permission, has_trust_permission, school_permission, trust_permission
from app.policy.complaints import OUTCOMES, STAGE_LABELS, STAGES, next_stages
from app.services import complaints as service
from app.services.providers import providers_seen
from app.services.pupils import school_pupils
from app.services.schools import all_schools, the_trust
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("complaints", __name__, url_prefix="/complaints")
monitoring_bp = school_blueprint("policy_monitoring", __name__, url_prefix="/policy-monitoring")
trust_bp = Blueprint("trust_policy", __name__, url_prefix="/trust/policy-review")


@bp.route("/", methods=["GET", "POST"])
@school_permission(Permission.COMPLAINTS_RECORD)
def index():
    form = ComplaintForm(pupils=school_pupils(), providers=providers_seen())
    if form.validate_on_submit():
        result = service.record_complaint(service.ComplaintInput(
            form.raised_by.data, form.raised_by_relationship.data, form.about.data, form.received_on.data,
            form.pupil_id.data, form.provider_id.data), current_user)
        if result.ok:
            flash("The complaint is recorded and routed to the headteacher.", "success")
            if Permission.COMPLAINTS_VIEW in g.school_permissions:
                return redirect(url_for("complaints.show", complaint_id=result.record.id))
            return redirect(url_for("school.dashboard"))
        form.add_errors(result.errors)
    listed = service.complaints() if Permission.COMPLAINTS_VIEW in g.school_permissions else None
    return render_template("oversight/complaints.html", form=form, complaints=listed, stages=STAGE_LABELS,
                           outcomes=OUTCOMES)


def _show(complaint, stage_form=None, close_form=None):
    manage = Permission.COMPLAINTS_MANAGE in g.school_permissions and complaint.closed_on is None
    if manage:
        stage_form = stage_form or ComplaintStageForm()
        stage_form.stage.choices = [(code, STAGE_LABELS[code]) for code in next_stages(complaint.stage)]
        close_form = close_form or ComplaintCloseForm()
        close_form.outcome.choices = [("", "Choose the outcome")] + list(OUTCOMES.items())
    return render_template("oversight/complaint.html", complaint=complaint, stages=STAGES, labels=STAGE_LABELS,
                           outcomes=OUTCOMES, stage_form=stage_form if manage else None,
                           close_form=close_form if manage else None)


@bp.route("/<int:complaint_id>")
@school_permission(Permission.COMPLAINTS_VIEW)
def show(complaint_id: int):
    return _show(service.access_complaint(complaint_id))


@bp.route("/<int:complaint_id>/stage", methods=["POST"])
@school_permission(Permission.COMPLAINTS_MANAGE)
def stage(complaint_id: int):
    complaint = service.access_complaint(complaint_id)
    form = ComplaintStageForm()
    if form.validate_on_submit():
        result = service.move_to_stage(complaint, form.stage.data, form.on.data, form.note.data, current_user)
        if result.ok:
            flash(f"Moved to: {STAGE_LABELS[complaint.stage]}.", "success")
            return redirect(url_for("complaints.show", complaint_id=complaint.id))
        form.add_errors(result.errors)
    return _show(complaint, stage_form=form), 400


@bp.route("/<int:complaint_id>/close", methods=["POST"])
@school_permission(Permission.COMPLAINTS_MANAGE)
def close(complaint_id: int):
    complaint = service.access_complaint(complaint_id)
    form = ComplaintCloseForm()
    if form.validate_on_submit():
        result = service.close_complaint(complaint, form.outcome.data or None, form.closed_on.data,
                                         form.outcome_note.data, current_user)
        if result.ok:
            flash("The complaint is closed with its outcome.", "success")
            return redirect(url_for("complaints.show", complaint_id=complaint.id))
        form.add_errors(result.errors)
    return _show(complaint, close_form=form), 400


@monitoring_bp.route("/", methods=["GET", "POST"], endpoint="index")
@school_permission(Permission.POLICY_MONITORING_RECORD)
def monitoring_index():
    form = MonitoringForm()
    if form.validate_on_submit():
        result = service.record_monitoring(form.monitored_on.data, form.findings.data, form.actions.data, current_user)
        if result.ok:
            flash("The monitoring is recorded.", "success")
            return redirect(url_for("policy_monitoring.index"))
        form.add_errors(result.errors)
    return render_template("oversight/policy_monitoring.html", form=form, records=service.monitoring_of_school())


@trust_bp.route("/", methods=["GET", "POST"], endpoint="index")
@trust_permission(Permission.TRUST_VIEW)
def policy_review_index():
    """12.2: the policy's adoption and next review; 12.1: each school's latest monitoring."""
    may_record = has_trust_permission(current_user, Permission.TRUST_POLICY_REVIEW)
    form = AdoptionForm() if may_record else None
    with trust_scope(current_user.id, "trust policy review: adoption, next review, schools' monitoring"):
        trust = the_trust()
        if form is not None and form.validate_on_submit():
            result = service.record_adoption(trust, form.adopted_on.data, form.next_review_on.data, form.reason.data,
                                             current_user)
            if result.ok:
                flash("The policy's adoption and next review are recorded.", "success")
                return redirect(url_for("trust_policy.index"))
            form.add_errors(result.errors)

        return render_template("oversight/policy_review.html", form=form, review=service.current_review(trust.id),
                               schools=all_schools(), monitoring=service.latest_monitoring_by_school(), trust=trust)
