"""Data protection pages (issue 19): the retention approvals for the trust's data protection officer (the designated
trustee, as there is no DPO role). Thin: parse, call app.services.retention, render."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.permissions import Permission, trust_permission
from app.services import retention
from tenants import trust_scope

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
