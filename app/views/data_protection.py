"""Data protection pages (issue 19): the retention approvals for the trust's data protection officer (the designated
trustee, as there is no DPO role), and in a school who has read a pupil's record. Thin: parse, call app.services.retention, render."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.permissions import Permission, school_permission, trust_permission
from app.services import pupils, read_audit, retention
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


bp = school_blueprint("data_protection", __name__, url_prefix="/data-protection")


@bp.route("/pupils/<int:pupil_id>/reads")
@school_permission(Permission.PUPIL_READS_VIEW)
def pupil_reads(pupil_id: int):
    """Who has opened this pupil's record or welfare checks: the DSL's view."""
    pupil = pupils.access_pupil(pupil_id)
    return render_template("data_protection/reads.html", pupil=pupil, reads=read_audit.reads_of_pupil(pupil.id))
