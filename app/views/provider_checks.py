"""A provider's pre-placement checks (policy 7.8), its risk assessment and approval (7.8, 7.9) and the evidence
files, under /<school>/providers/. The 7.8 checklist is one task-list page where each item still to do is
answered in place (issue 14 item 2); an item's own page stays for changing one answer or adding files."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.forms.providers import CheckItemForm, ChecklistForm, RiskAssessmentForm, StartCheckForm
from app.input_edges import TEXT_MAX
from app.models import CheckOutcome, RiskRating
from app.permissions import Permission, school_permission
from app.services import evidence
from app.services import providers as service
from app.views.providers import labels
from tenants.web import school_blueprint

bp = school_blueprint("provider_checks", __name__, url_prefix="/providers")
bp.context_processor(labels)

OUTCOME_LABELS = {"met": "Met", "not_met": "Not met", "not_applicable": "Not applicable"}
MARK_EVIDENCED_MET = "evidenced-met"


def _can(permission: Permission) -> bool:
    return permission in g.school_permissions


@bp.route("/<int:provider_id>/checks", methods=["POST"])
@school_permission(Permission.PROVIDER_CHECKS_RECORD)
def start_check(provider_id: int):
    provider = service.access_provider(provider_id)
    if not StartCheckForm().validate_on_submit():
        return redirect(url_for("providers.show", provider_id=provider.id))
    check = service.start_check(provider, g.school, current_user)
    return redirect(url_for("provider_checks.checklist", check_id=check.id))


def _answers_from(form, files, lines, mark_evidenced_met: bool) -> tuple[list[service.CheckAnswer], dict[str, str]]:
    """The items answered on the page: those with an outcome, some text or a file. With "mark each check with
    evidence as met", an item with evidence and no outcome chosen is met."""
    answers, errors = [], {}
    for line in lines:
        code = line.item.code
        outcome = form.get(f"{code}-outcome") or None
        text = (form.get(f"{code}-text") or "").strip() or None
        uploads = [evidence.read_upload(f) for f in files.getlist(f"{code}-files") if f.filename]
        if outcome is None and mark_evidenced_met and (text or uploads):
            outcome = CheckOutcome.MET.value
        if outcome is None and not text and not uploads:
            continue
        if text and len(text) > TEXT_MAX:
            errors[f"{code}-text"] = f"Evidence must be {TEXT_MAX} characters or fewer."
            continue
        answers.append(service.CheckAnswer(line.row, CheckOutcome(outcome) if outcome in OUTCOME_LABELS else None,
                                           text, uploads))
    return answers, errors


@bp.route("/checks/<int:check_id>")
@school_permission(Permission.PROVIDERS_VIEW)
def checklist(check_id: int):
    return _checklist_page(service.access_check(check_id), ChecklistForm(), {})


@bp.route("/checks/<int:check_id>", methods=["POST"])
@school_permission(Permission.PROVIDER_CHECKS_RECORD)
def answer_checks(check_id: int):
    """The items answered in place on the checklist, saved together (all or nothing)."""
    check = service.access_check(check_id)
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _checklist_page(check, form, {"answers": "This page had expired, so nothing was saved: save again."})
    open_lines = [line for line in service.checklist(check) if line.row is not None and line.problem is not None]
    answers, errors = _answers_from(request.form, request.files, open_lines,
                                    request.form.get("save") == MARK_EVIDENCED_MET)
    result = service.record_check_answers(answers, school=g.school, user=current_user) if not errors else None
    if result is not None and result.ok:
        flash(f"Saved {len(answers)} check{'s' if len(answers) != 1 else ''}.", "success")
        return redirect(url_for("provider_checks.checklist", check_id=check.id))
    return _checklist_page(check, form, errors or result.errors)


def _checklist_page(check, form, errors: dict[str, str]):
    lines = service.checklist(check)
    return render_template("providers/checklist.html", check=check, provider=check.provider, lines=lines,
                           done=sum(1 for line in lines if line.problem is None), form=form, errors=errors,
                           entered=request.form if errors else {}, outcome_labels=OUTCOME_LABELS,
                           mark_met=MARK_EVIDENCED_MET, details_missing=service.missing_details(check.provider),
                           people=service.user_names([line.row.checked_by_id for line in lines if line.row]),
                           school_name=service.school_names([check.made_by_school_id]).get(check.made_by_school_id),
                           can_record=_can(Permission.PROVIDER_CHECKS_RECORD),
                           can_edit=_can(Permission.PROVIDERS_EDIT),
                           can_approve=_can(Permission.PROVIDER_RISK_APPROVE))


@bp.route("/check-items/<int:check_item_id>", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_CHECKS_RECORD)
def record_item(check_item_id: int):
    row = service.access_check_item(check_item_id)
    form = CheckItemForm(obj=row) if request.method == "GET" else CheckItemForm()
    if request.method == "GET" and row.outcome is not None:
        form.outcome.data = row.outcome.value
    if form.validate_on_submit():
        uploads = [evidence.read_upload(f) for f in (form.files.data or []) if getattr(f, "filename", "")]
        result = service.record_check_item(
            row, outcome=CheckOutcome(form.outcome.data), not_applicable_reason=form.not_applicable_reason.data,
            evidence_note=form.evidence_note.data, checked_on=form.checked_on.data, uploads=uploads,
            school=g.school, user=current_user)
        if result.ok:
            flash(f"Recorded: {service.item_label(row.item)}.", "success")
            # Save and next (issue 14 item 2): straight on to the next item not yet answered, else the list.
            following = next((line.row for line in service.checklist(row.check)
                              if line.row is not None and line.row.outcome is None), None)
            if following is not None:
                return redirect(url_for("provider_checks.record_item", check_item_id=following.id))
            return redirect(url_for("provider_checks.checklist", check_id=row.check_id))
        form.add_errors(result.errors)
    return render_template("providers/check_item.html", form=form, row=row, check=row.check,
                           provider=row.check.provider, label=service.item_label(row.item))


@bp.route("/checks/<int:check_id>/risk-assessment", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_RISK_APPROVE)
def risk_assessment(check_id: int):
    check = service.access_check(check_id)
    form = RiskAssessmentForm()
    missing = service.missing_items(check)
    if form.validate_on_submit():
        result = service.approve_risk_assessment(
            check, rating=RiskRating(form.rating.data), risks=form.risks.data, mitigations=form.mitigations.data,
            school=g.school, user=current_user)
        if result.ok:
            flash(f"The risk assessment is approved: {check.provider.name} is vetted until "
                  f"{service.provider_status(check.provider).vetted_until:%-d %B %Y}.", "success")
            return redirect(url_for("providers.show", provider_id=check.provider_id))
        form.add_errors(result.errors)
        missing = result.missing or missing
    return render_template("providers/risk_assessment.html", form=form, check=check, provider=check.provider,
                           missing=missing, details_missing=service.missing_details(check.provider))


@bp.route("/evidence/<int:evidence_file_id>")
@school_permission(Permission.PROVIDERS_VIEW)
def evidence_file(evidence_file_id: int):
    record = service.access_evidence_file(evidence_file_id)
    path = evidence.evidence_path(record)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=record.content_type, as_attachment=True,
                         download_name=record.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
