"""The headteacher's report on the use of AP (issue 16 items 4 and 5; policy 4.1, 4.2): produce one for a term or a
date range, see it with its charts, download the PDF, mark it presented to governors and sent to the trust; the
designated governor's page of presented reports and live figures, and their notes. Thin: parse, call
app.services.ap_report, render. Aggregates only: nothing here names a pupil."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.oversight import GovernorsNoteForm, PresentedForm, ProduceReportForm
from app.permissions import Permission, school_permission
from app.services import ap_report as service
from app.services.ap_report_pdf import report_pdf
from app.services.calendar import calendar_for_school
from tenants.web import school_blueprint

bp = school_blueprint("reports", __name__, url_prefix="/reports")
governors_bp = school_blueprint("governors", __name__, url_prefix="/governors")


def _may_produce() -> bool:
    return Permission.REPORTS_PRODUCE in g.school_permissions


def _visible_report(report_id: int):
    """A report; one not yet presented is the headteacher's and AP leader's working copy, not the governors'."""
    report = service.access_report(report_id)
    if report.presented_on is None and Permission.REPORTS_DRAFTS_VIEW not in g.school_permissions:
        abort(404)
    return report


@bp.route("/", methods=["GET", "POST"])
@school_permission(Permission.REPORTS_VIEW)
def index():
    terms = service.terms_of(calendar_for_school())
    form = ProduceReportForm(terms=[t for t in terms if t.first_day <= clock.today()]) if _may_produce() else None
    if form is not None and request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        label, first_day, last_day = form.label.data, form.first_day.data, form.last_day.data
        if form.term.data:
            first, last, label = form.term.data.split("|", 2)
            first_day, last_day = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        result = service.produce_report(label, first_day, last_day, current_user)
        if result.ok:
            return redirect(url_for("reports.show", report_id=result.record.id))
        form.add_errors(result.errors)
    reports = service.reports() if Permission.REPORTS_DRAFTS_VIEW in g.school_permissions \
        else service.presented_reports()
    return render_template("oversight/reports.html", reports=reports, form=form)


def _render(report, presented_form=None, note_form=None):
    data = service.report_data(g.school, report.label, report.first_day, report.last_day)
    may_note = Permission.GOVERNORS_NOTES_RECORD in g.school_permissions and report.presented_on is not None
    return render_template(
        "oversight/report.html", report=report, data=data, charts=service.charts_for(data),
        notes=service.notes_of(report), may_produce=_may_produce(),
        presented_form=presented_form or (PresentedForm() if _may_produce() and report.presented_on is None else None),
        note_form=note_form or (GovernorsNoteForm() if may_note else None))


@bp.route("/<int:report_id>")
@school_permission(Permission.REPORTS_VIEW)
def show(report_id: int):
    return _render(_visible_report(report_id))


@bp.route("/<int:report_id>.pdf")
@school_permission(Permission.REPORTS_VIEW)
def pdf(report_id: int):
    report = _visible_report(report_id)
    data = service.report_data(g.school, report.label, report.first_day, report.last_day)
    presented = (f"Presented to governors on {report.presented_on:%-d %B %Y} ({report.presented_meeting})."
                 if report.presented_on else None)
    return Response(report_pdf(data, presented), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="ap-report-{g.school.slug}-{report.first_day}.pdf"'})


@bp.route("/<int:report_id>/presented", methods=["POST"])
@school_permission(Permission.REPORTS_PRODUCE)
def presented(report_id: int):
    report = service.access_report(report_id)
    form = PresentedForm()
    if form.validate_on_submit():
        result = service.mark_presented(report, form.presented_on.data, form.presented_meeting.data, current_user)
        if result.ok:
            flash("Recorded: the report was presented to governors.", "success")
            return redirect(url_for("reports.show", report_id=report.id))
        form.add_errors(result.errors)
    return _render(report, presented_form=form), 400


@bp.route("/<int:report_id>/sent", methods=["POST"])
@school_permission(Permission.REPORTS_PRODUCE)
def sent(report_id: int):
    report = service.access_report(report_id)
    result = service.mark_sent_to_trust(report, current_user)
    flash("Sent to the trust: the designated trustee and the trust safeguarding lead are emailed a link."
          if result.ok else next(iter(result.errors.values())), "success" if result.ok else "error")
    return redirect(url_for("reports.show", report_id=report.id))


@bp.route("/<int:report_id>/notes", methods=["POST"])
@school_permission(Permission.GOVERNORS_NOTES_RECORD)
def add_note(report_id: int):
    report = _visible_report(report_id)
    form = GovernorsNoteForm()
    if form.validate_on_submit():
        result = service.add_governors_note(report, form.questions.data, form.actions.data, current_user)
        if result.ok:
            flash("The governors' note is recorded.", "success")
            return redirect(url_for("reports.show", report_id=report.id))
        form.add_errors(result.errors)
    return _render(report, note_form=form), 400


@governors_bp.route("/", endpoint="index")
@school_permission(Permission.GOVERNORS_VIEW)
def governors_index():
    """4.1: the designated governor's page: presented reports, and this term's figures so far (aggregates)."""
    today = clock.today()
    calendar = calendar_for_school()
    term = next((t for t in service.terms_of(calendar) if t.first_day <= today <= t.last_day), None)
    first, label = (term.first_day, f"{term.label} so far") if term else (today - dt.timedelta(days=90), "Last 90 days")
    data = service.report_data(g.school, label, first, today, calendar)
    return render_template("oversight/governors.html", reports=service.presented_reports(), data=data,
                           charts=service.charts_for(data))
