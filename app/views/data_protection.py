"""Data protection pages (issue 19): the retention approvals for the trust's data protection officer (the designated
trustee, as there is no DPO role); in a school, who has read a pupil's record and subject access requests. Thin: parse, call app.services.retention, render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.forms.legal_holds import LiftHoldForm, ProviderHoldForm, PupilHoldForm, lift_forms
from app.permissions import Permission, school_permission, trust_permission
from app.services import legal_holds, pupils, read_audit, retention
from app.services import subject_access as subject_access_service
from tenants import trust_scope
from tenants.web import school_blueprint

trust_bp = Blueprint("data_protection_trust", __name__, url_prefix="/trust/retention")


@trust_bp.route("/")
@trust_permission(Permission.TRUST_ADMIN)
def retention_index():
    with trust_scope(current_user.id, "retention review: records due for destruction or anonymisation"):
        rows = retention.proposal_lines()
    return render_template("data_protection/retention.html", rows=rows, schedule=retention.schedule_rows())


@trust_bp.route("/approve", methods=["POST"])
@trust_permission(Permission.TRUST_ADMIN)
def retention_approve():
    try:
        ids = [int(v) for v in request.form.getlist("disposal_id")]
    except ValueError:
        ids = []
    if not ids:
        flash("Select the records to approve (disposal_id): nothing was approved.", "error")
        return redirect(url_for(".retention_index"))
    with trust_scope(current_user.id, "retention review: approving a batch"):
        approved = retention.approve(ids, current_user.id)
    flash(f"{approved} approved: the weekly retention review carries them out.", "success")
    return redirect(url_for(".retention_index"))


@trust_bp.route("/holds")
@trust_permission(Permission.TRUST_ADMIN)
def legal_holds_index():
    return _holds_page()


def _holds_page(pupil_form: PupilHoldForm | None = None, provider_form: ProviderHoldForm | None = None):
    """The holds, and the forms to place one: empty, or the one just refused with its problems (then a 400)."""
    with trust_scope(current_user.id, "legal holds: the list and the register's providers"):
        holds = legal_holds.hold_lines()
        pupil_form = pupil_form or PupilHoldForm(formdata=None, schools=legal_holds.school_choices())
        provider_form = provider_form or ProviderHoldForm(formdata=None, providers=legal_holds.provider_choices())
        page = render_template("data_protection/legal_holds.html", holds=holds, pupil_form=pupil_form,
                               provider_form=provider_form,
                               lift_forms=lift_forms(h.id for h in holds if h.lifted_at is None))
    refused = pupil_form.errors or pupil_form.form_errors or provider_form.errors or provider_form.form_errors
    return page, 400 if refused else 200


@trust_bp.route("/holds/pupil", methods=["POST"])
@trust_permission(Permission.TRUST_ADMIN)
def legal_hold_pupil():
    with trust_scope(current_user.id, "legal hold: placing a hold on a pupil's records"):
        form = PupilHoldForm(schools=legal_holds.school_choices())
        if form.validate_on_submit():
            result = legal_holds.hold_pupil(form.school_id.data, form.upn.data, form.reason.data, current_user)
            if result.ok:
                flash("The pupil's records are on legal hold: the retention review will not touch them.", "success")
                return redirect(url_for(".legal_holds_index"))
            form.add_errors(result.errors)
    return _holds_page(pupil_form=form)


@trust_bp.route("/holds/provider", methods=["POST"])
@trust_permission(Permission.TRUST_ADMIN)
def legal_hold_provider():
    with trust_scope(current_user.id, "legal hold: placing a hold on a provider's records"):
        form = ProviderHoldForm(providers=legal_holds.provider_choices())
        if form.validate_on_submit():
            result = legal_holds.hold_provider(form.provider_id.data, form.reason.data, current_user)
            if result.ok:
                flash("The provider's records are on legal hold: the retention review will not touch them.",
                      "success")
                return redirect(url_for(".legal_holds_index"))
            form.add_errors(result.errors)
    return _holds_page(provider_form=form)


@trust_bp.route("/holds/<int:hold_id>/lift", methods=["POST"])
@trust_permission(Permission.TRUST_ADMIN)
def legal_hold_lift(hold_id: int):
    form = LiftHoldForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for(".legal_holds_index"))
    with trust_scope(current_user.id, "legal hold: lifting a hold"):
        result = legal_holds.lift_legal_hold(hold_id, current_user.id, form.lift_reason.data)
    if result.ok:
        flash("Hold lifted: records still due will be proposed again at the next retention review.", "success")
    else:
        flash(next(iter(result.errors.values())), "error")
    return redirect(url_for(".legal_holds_index"))


bp = school_blueprint("data_protection", __name__, url_prefix="/data-protection")


@bp.route("/pupils/<int:pupil_id>/reads")
@school_permission(Permission.PUPIL_READS_VIEW)
def pupil_reads(pupil_id: int):
    """Who has opened this pupil's record or welfare checks: the DSL's view."""
    pupil = pupils.access_pupil(pupil_id)
    return render_template("data_protection/reads.html", pupil=pupil, reads=read_audit.reads_of_pupil(pupil.id))


@bp.route("/pupils/<int:pupil_id>/subject-access", methods=["GET", "POST"])
@school_permission(Permission.SUBJECT_ACCESS)
def subject_access(pupil_id: int):
    """Record a subject access request for the pupil; list the requests with their deadline and export."""
    pupil = pupils.access_pupil(pupil_id)
    errors = {}
    if request.method == "POST":
        result = subject_access_service.record_request(
            pupil, request.form.get("requester"), _date(request.form.get("received_on")), current_user)
        if result.ok:
            flash(f"Recorded: answer by {result.record.due_on:%-d %B %Y}. The task is in the DSL's inbox.", "success")
            return redirect(url_for(".subject_access", pupil_id=pupil.id))
        errors = result.errors
    return render_template("data_protection/subject_access.html", pupil=pupil, errors=errors, form=request.form,
                           requests=subject_access_service.requests_for(pupil))


@bp.route("/subject-access/<int:request_id>/export.zip")
@school_permission(Permission.SUBJECT_ACCESS)
def subject_access_export(request_id: int):
    sar = subject_access_service.access_request(request_id)
    data = subject_access_service.export_for(sar, current_user)
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="subject-access-{sar.id}.zip"', "Cache-Control": "no-store"})


@bp.route("/subject-access/<int:request_id>/release", methods=["POST"])
@school_permission(Permission.SUBJECT_ACCESS)
def subject_access_release(request_id: int):
    sar = subject_access_service.access_request(request_id)
    result = subject_access_service.release(sar, current_user)
    flash("Released: the request is answered." if result.ok else result.errors["request"],
          "success" if result.ok else "error")
    return redirect(url_for(".subject_access", pupil_id=sar.pupil_id))


def _date(text: str | None):
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
