"""Welfare check pages (issue 6 item 6; KCSIE; policy 4.4, 4.5): the open and recent checks, one check with its
record form (and, for a pupil not located, the missing-child steps), and raising a check by hand.
Thin: parse, call app.services.welfare_records, render."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app.forms.welfare_checks import RaiseCheckForm, WelfareRecordForm
from app.permissions import Permission, school_permission
from app.policy.welfare import METHODS, MISSING_CHILD_STEPS, NOT_LOCATED, OUTCOMES
from app.services import consequences, read_audit
from app.services import welfare_records as service
from tenants.web import school_blueprint

bp = school_blueprint("welfare_checks", __name__, url_prefix="/welfare-checks")


def _can_record() -> bool:
    return Permission.WELFARE_CHECKS_RECORD in g.school_permissions


@bp.route("/")
@school_permission(Permission.WELFARE_CHECKS_VIEW)
def index():
    open_checks, recent = service.open_and_recent()
    return render_template("welfare_checks/index.html", open_checks=open_checks, recent=recent,
                           can_record=_can_record(), methods=METHODS, outcomes=OUTCOMES)


@bp.route("/new", methods=["GET", "POST"])
@school_permission(Permission.WELFARE_CHECKS_RECORD)
def new():
    form = RaiseCheckForm(pupils=service.school_pupils())
    if form.validate_on_submit():
        result = service.raise_by_hand(form.pupil_id.data, form.note.data, current_user)
        if result.ok:
            flash("The welfare check is raised: record it here once it is made.", "success")
            return redirect(url_for("welfare_checks.show", welfare_check_id=result.record.id))
        form.add_errors(result.errors)
    return render_template("welfare_checks/new.html", form=form)


@bp.route("/<int:welfare_check_id>")
@school_permission(Permission.WELFARE_CHECKS_VIEW)
def show(welfare_check_id: int):
    check = service.access_check(welfare_check_id)
    read_audit.record_read("WelfareCheck", check.id, check.pupil_id, current_user.id, check.school_id)
    form = WelfareRecordForm() if _can_record() and service.can_record(check) else None
    return _show(check, form)


@bp.route("/<int:welfare_check_id>/record", methods=["POST"])
@school_permission(Permission.WELFARE_CHECKS_RECORD)
def record(welfare_check_id: int):
    check = service.access_check(welfare_check_id)
    if not service.can_record(check):
        flash("This check is recorded already.", "error")
        return redirect(url_for("welfare_checks.show", welfare_check_id=check.id))
    form = WelfareRecordForm()
    if form.validate_on_submit():
        problems = (consequences.problems_before_not_located(check, form.data_in())
                    if form.outcome.data == NOT_LOCATED and request.form.get("review") == "yes" else None)
        if problems:
            form.add_errors({("checked_on" if k == "checked_at" else k): v for k, v in problems.items()})
            return _show(check, form)
        if problems is not None:
            # From the page's form: say what "not located" sets off before it does (issue 14 item 3).
            return render_template("welfare_checks/confirm_not_located.html", check=check,
                                   consequences=consequences.of_not_located(check),
                                   carried=[(k, v) for k, v in request.form.items(multi=True)
                                            if k not in ("csrf_token", "review")])
        result = service.record_check(check, form.data_in(), current_user)
        if result.ok:
            if service.still_missing(check):
                flash("Recorded: the missing-child procedure has started and the trust safeguarding lead is told.",
                      "error")
            else:
                flash("The welfare check is recorded.", "success")
            return redirect(url_for("welfare_checks.show", welfare_check_id=check.id))
        form.add_errors({("checked_on" if k == "checked_at" else k): v for k, v in result.errors.items()})
    return _show(check, form)


def _show(check, form):
    return render_template("welfare_checks/show.html", check=check, form=form, methods=METHODS, outcomes=OUTCOMES,
                           missing=service.still_missing(check), steps=MISSING_CHILD_STEPS,
                           details=Permission.WELFARE_CHECK_DETAILS_VIEW in g.school_permissions)
