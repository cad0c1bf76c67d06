"""Flexi-schooling pages (policy section 10): the requests and agreements, recording a written request, the
meeting, the headteacher's decision and its letter, the agreement, termly reviews and withdrawal. Thin: parse,
call app.services.flexi_schooling (or flexi_reviews), render or redirect."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, flash, g, redirect, render_template, send_file, url_for
from flask import request as http
from flask_login import current_user

from app import clock
from app.forms.flexi_schooling import (
    AgreementForm,
    DecisionForm,
    DocumentForm,
    LetterSentForm,
    MeetingForm,
    RequestForm,
    ReviewForm,
    WithdrawalForm,
)
from app.models import FlexiRequestStatus
from app.permissions import Permission, school_permission, trust_permission
from app.policy.flexi_schooling import WEEKDAY_KEYS, WEEKDAY_NAMES, describe_pattern
from app.services import flexi_documents as documents
from app.services import flexi_reviews as reviews
from app.services import flexi_schooling as service
from app.services.calendar import calendar_for_school
from app.services.evidence import read_upload
from app.services.flexi_letter import letter_paragraphs, letter_pdf
from app.services.flexi_notices import notices_for
from app.services.pupils import school_pupils
from app.services.schools import all_schools
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("flexi", __name__)
trust_bp = Blueprint("trust_flexi", __name__, url_prefix="/trust")
WEEK = [(key, name) for key, name in zip(WEEKDAY_KEYS, WEEKDAY_NAMES, strict=True)]


def _upload(field):
    storage = field.data
    return read_upload(storage) if getattr(storage, "filename", "") else None


@bp.app_template_global("flexi_pattern")
def _flexi_pattern(slots):
    return describe_pattern(slots or [])


@bp.app_template_global("flexi_school_summary")
def _flexi_school_summary(counts=None):
    """The school view's card (flexi/_dashboard.html); `counts`: the dashboard's, read with its other cards."""
    return SimpleNamespace(counts=service.flexi_counts()[g.school.id] if counts is None else counts,
                           current=service.agreements_of_school(current_only=True))


@bp.app_template_global("flexi_of_pupil")
def _flexi_of_pupil(pupil):
    """The pupil page's section (flexi/_for_pupil.html)."""
    return SimpleNamespace(**service.of_pupil(pupil.id))


@trust_bp.route("/flexi-schooling")
@trust_permission(Permission.TRUST_MONITORING_VIEW)
def trust_counts():
    """Each school's current agreements and open requests (section 10), in the audited trust scope."""
    with trust_scope(current_user.id, "trust flexi-schooling: each school's agreements and requests"):
        schools = all_schools()
        counts = service.flexi_counts([s.id for s in schools])
        lines = [(school, counts[school.id]) for school in schools]
    return render_template("flexi/trust.html", lines=lines)


@bp.route("/flexi-schooling/")
@school_permission(Permission.FLEXI_VIEW)
def index():
    return render_template("flexi/index.html", requests=service.requests_of_school(),
                           agreements=service.agreements_of_school(), today=clock.today())


@bp.route("/flexi-schooling/requests/new", methods=["GET", "POST"])
@school_permission(Permission.FLEXI_RECORD)
def new_request():
    form = RequestForm()
    pupils = school_pupils()
    form.pupil_id.choices = [(0, "Choose a pupil")] + [(p.id, f"{p.display_name} (year {p.year_group})")
                                                       for p in pupils]
    chosen, pattern_error = http.form.getlist("home_sessions"), None
    if form.validate_on_submit():
        result = service.record_request(service.RequestInput(
            form.pupil_id.data or None, form.received_on.data, form.requested_by.data, form.request_summary.data,
            chosen, form.meeting_offered_on.data), by=current_user, document=_upload(form.document))
        if result.ok:
            flash("The request is recorded.", "success")
            return redirect(url_for("flexi.show_request", flexi_request_id=result.record.id))
        form.add_errors(result.errors)
        pattern_error = result.errors.get("proposed_pattern")
    elif not form.is_submitted():
        form.pupil_id.data = http.args.get("pupil_id", 0, type=int)
    return render_template("flexi/request_new.html", form=form, week=WEEK, chosen=set(chosen),
                           pattern_error=pattern_error), 400 if form.errors or form.form_errors else 200


def _request_page(record, status: int = 200, **forms):
    forms.setdefault("meeting_form", MeetingForm(formdata=None, obj=record))
    forms.setdefault("decision_form", DecisionForm(formdata=None))
    forms.setdefault("letter_form", LetterSentForm(formdata=None))
    forms.setdefault("document_form", DocumentForm(formdata=None))
    return render_template("flexi/request.html", record=record, letter=letter_paragraphs(record)
                           if record.status is not FlexiRequestStatus.RECEIVED else None, **forms), status


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>")
@school_permission(Permission.FLEXI_VIEW)
def show_request(flexi_request_id: int):
    return _request_page(service.access_request(flexi_request_id))


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/meeting", methods=["POST"])
@school_permission(Permission.FLEXI_RECORD)
def meeting(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    form = MeetingForm()
    if form.validate_on_submit():
        result = service.record_meeting(record, form.meeting_offered_on.data, form.meeting_held_on.data,
                                        form.meeting_note.data)
        if result.ok:
            flash("The meeting is recorded.", "success")
            return redirect(url_for("flexi.show_request", flexi_request_id=record.id))
        form.add_errors(result.errors)
    return _request_page(service.access_request(flexi_request_id), 400, meeting_form=form)


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/document")
@school_permission(Permission.FLEXI_VIEW)
def document(flexi_request_id: int):
    """The written request, as an attachment."""
    record = service.access_request(flexi_request_id)
    path = documents.document_path(record)
    if path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype=record.document_content_type, as_attachment=True,
                     download_name=record.document_name)


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/document", methods=["POST"])
@school_permission(Permission.FLEXI_RECORD)
def upload_document(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    form = DocumentForm()
    upload = _upload(form.document) if form.validate_on_submit() else None
    if upload is not None:
        result = documents.record_document(record, upload)
        if result.ok:
            flash("The written request is uploaded.", "success")
            return redirect(url_for("flexi.show_request", flexi_request_id=record.id))
        form.add_errors(result.errors)
    elif not form.errors:
        form.add_errors({"document": "Choose the file of the written request."})
    return _request_page(service.access_request(flexi_request_id), 400, document_form=form)


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/decision", methods=["POST"])
@school_permission(Permission.FLEXI_DECIDE)
def decision(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    form = DecisionForm()
    if form.validate_on_submit():
        choice = {"approve": True, "refuse": False}.get(form.decision.data)
        result = service.decide(record, choice, form.reasons.data, by=current_user)
        if result.ok:
            flash("The decision is recorded. Send the letter and record the date it was sent.", "success")
            return redirect(url_for("flexi.show_request", flexi_request_id=record.id))
        form.add_errors(result.errors)
    return _request_page(service.access_request(flexi_request_id), 400, decision_form=form)


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/letter.pdf")
@school_permission(Permission.FLEXI_VIEW)
def letter(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    if record.status is FlexiRequestStatus.RECEIVED:
        abort(404)
    return letter_pdf(record), 200, {"Content-Type": "application/pdf", "Content-Disposition":
                                     f'inline; filename="flexi-schooling-decision-{record.id}.pdf"'}


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/letter-sent", methods=["POST"])
@school_permission(Permission.FLEXI_RECORD)
def letter_sent(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    form = LetterSentForm()
    if form.validate_on_submit():
        result = service.record_letter_sent(record, form.sent_on.data, by=current_user)
        if result.ok:
            flash("The letter is recorded as sent.", "success")
            return redirect(url_for("flexi.show_request", flexi_request_id=record.id))
        form.add_errors(result.errors)
    return _request_page(service.access_request(flexi_request_id), 400, letter_form=form)


@bp.route("/flexi-schooling/requests/<int:flexi_request_id>/agreement", methods=["GET", "POST"])
@school_permission(Permission.FLEXI_RECORD)
def new_agreement(flexi_request_id: int):
    record = service.access_request(flexi_request_id)
    if record.agreement is not None:
        return redirect(url_for("flexi.show_agreement", flexi_agreement_id=record.agreement.id))
    form = AgreementForm()
    chosen = http.form.getlist("home_sessions") if form.is_submitted() else record.proposed_home_sessions
    pattern_error = None
    if form.validate_on_submit():
        values = {name: form[name].data for name in service.AgreementInput.__dataclass_fields__ if name in form}
        result = service.make_agreement(record, service.AgreementInput(home_pattern=chosen, **values),
                                        by=current_user)
        if result.ok:
            flash("The agreement is recorded; the local authority is told (10.7).", "success")
            return redirect(url_for("flexi.show_agreement", flexi_agreement_id=result.record.id))
        form.add_errors(result.errors)
        pattern_error = result.errors.get("home_pattern")
    return render_template("flexi/agreement_new.html", form=form, record=record, week=WEEK, chosen=set(chosen),
                           pattern_error=pattern_error), \
        400 if form.errors or form.form_errors else 200


@bp.route("/flexi-schooling/agreements/<int:flexi_agreement_id>")
@school_permission(Permission.FLEXI_VIEW)
def show_agreement(flexi_agreement_id: int):
    agreement = service.access_agreement(flexi_agreement_id)
    due = reviews.review_due(agreement, calendar_for_school(agreement.school_id), clock.today())
    return render_template("flexi/agreement.html", agreement=agreement, notices=notices_for(agreement), due=due,
                           today=clock.today())


@bp.route("/flexi-schooling/agreements/<int:flexi_agreement_id>/reviews/new", methods=["GET", "POST"])
@school_permission(Permission.FLEXI_RECORD)
def new_review(flexi_agreement_id: int):
    agreement = service.access_agreement(flexi_agreement_id)
    form = ReviewForm()
    if form.validate_on_submit():
        result = reviews.record_review(agreement, reviews.ReviewInput(
            form.held_on.data, form.progress.data, form.outcome.data, form.pupil_views.data,
            form.parents_views.data, form.changes_agreed.data), by=current_user)
        if result.ok:
            flash("The termly review is recorded.", "success")
            return redirect(url_for("flexi.show_agreement", flexi_agreement_id=agreement.id))
        form.add_errors(result.errors)
    elif not form.is_submitted():
        form.held_on.data = clock.today()
    return render_template("flexi/review_new.html", form=form, agreement=agreement), \
        400 if form.errors or form.form_errors else 200


@bp.route("/flexi-schooling/agreements/<int:flexi_agreement_id>/withdrawal", methods=["GET", "POST"])
@school_permission(Permission.FLEXI_RECORD)
def withdrawal(flexi_agreement_id: int):
    agreement = service.access_agreement(flexi_agreement_id)
    form = WithdrawalForm()
    if form.validate_on_submit():
        result = service.withdraw(agreement, service.WithdrawalInput(
            form.withdrawn_by.data, form.notice_given_on.data, form.end_date.data, form.reason.data),
            by=current_user)
        if result.ok:
            flash("The withdrawal is recorded; the local authority is told (10.7).", "success")
            return redirect(url_for("flexi.show_agreement", flexi_agreement_id=agreement.id))
        form.add_errors(result.errors)
    elif not form.is_submitted():
        form.notice_given_on.data = clock.today()
    return render_template("flexi/withdrawal.html", form=form, agreement=service.access_agreement(flexi_agreement_id)), \
        400 if form.errors or form.form_errors else 200
