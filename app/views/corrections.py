"""Putting mistakes right (issue 14 item 8): correct a record a person added, archive it with a reason, and
read its history. One table of kinds; each kind's routes carry the permission its record is added with (the
history: the permission to see it). Thin: parse, call the kind's service, render."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.extensions import db
from app.forms.corrections import ArchiveReasonForm
from app.forms.pupils import CarerForm, ConsultationForm, InvolvementForm, ReferralForm, RiskAssessmentForm
from app.forms.qa import ProgressForm, QAActivityForm
from app.forms.reviews import ReviewForm
from app.models import (
    Carer,
    Involvement,
    ParentConsultation,
    PlacementReview,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    QAActivity,
    Referral,
)
from app.permissions import Permission, school_permission
from app.services import corrections, pupils, qa, reviews
from tenants.access import school_record_or_404
from tenants.web import school_blueprint

bp = school_blueprint("corrections", __name__, url_prefix="/records")

QA_FIELDS = ("kind", "held_on", "provider_id", "placement_id", "staff_spoken_with", "pupils_spoken_with",
             "parents_spoken_with", "work_reviewed", "lessons_observed", "unstructured_time_observed", "findings",
             "serious_finding")


@dataclass(frozen=True)
class Kind:
    path: str  # the URL segment
    arg: str  # the id's name in the URL
    model: type
    label: str  # "the parent or carer"
    permission: Permission  # to add it, so to correct or archive it
    view_permission: Permission  # to see it, so its history
    form: Callable  # (record) -> a form filled from the record (or the request)
    save: Callable  # (record, form) -> Result
    back: Callable[[object], str]  # the page the record is shown on
    fields: tuple[str, ...] | None = None  # the form's fields to show (None: all)


def _pupil_page(record) -> str:
    return url_for("pupils.show", pupil_id=record.pupil_id, _anchor="before-placement")


def _consultation_form(record):
    return ConsultationForm(obj=record, carers=pupils.carers_of(db.session.get(Pupil, record.pupil_id)))


def _involvement_form(record):
    form = InvolvementForm(obj=record)
    if not form.is_submitted():
        form.ehcp_review_needed.data = {True: "yes", False: "no"}.get(record.ehcp_review_needed)
    return form


def _qa_form(record):
    return QAActivityForm(obj=record, providers=qa.providers_placed_with(), placements=qa.placements_for_qa(),
                          staff=qa.school_staff())


def _progress_form(record):
    return ProgressForm(obj=record, placements=qa.pupil_placements(db.session.get(Pupil, record.pupil_id)))


KINDS = (
    Kind("carers", "carer_id", Carer, "the parent or carer", Permission.PUPILS_EDIT, Permission.PUPILS_VIEW,
         lambda r: CarerForm(obj=r), lambda r, f: pupils.correct_carer(r, f.values()),
         lambda r: url_for("pupils.show", pupil_id=r.pupil_id, _anchor="carers")),
    Kind("referrals", "referral_id", Referral, "the referral and needs analysis", Permission.PRE_PLACEMENT_RECORD,
         Permission.PUPILS_VIEW, lambda r: ReferralForm(obj=r), lambda r, f: pupils.correct_referral(r, f.values()),
         _pupil_page),
    Kind("risk-assessments", "risk_assessment_id", PupilRiskAssessment, "the risk assessment",
         Permission.PRE_PLACEMENT_RECORD, Permission.PUPILS_VIEW, lambda r: RiskAssessmentForm(obj=r),
         lambda r, f: pupils.correct_risk_assessment(r, f.values()), _pupil_page),
    Kind("consultations", "consultation_id", ParentConsultation, "the consultation with parents or carers",
         Permission.PRE_PLACEMENT_RECORD, Permission.PUPILS_VIEW, _consultation_form,
         lambda r, f: pupils.correct_consultation(r, f.values()), _pupil_page),
    Kind("involvements", "involvement_id", Involvement, "the involvement record", Permission.PRE_PLACEMENT_RECORD,
         Permission.PUPILS_VIEW, _involvement_form, lambda r, f: pupils.correct_involvement(r, f.values()),
         _pupil_page),
    Kind("reviews", "review_id", PlacementReview, "the review", Permission.REVIEWS_RECORD, Permission.REVIEWS_VIEW,
         lambda r: ReviewForm(obj=r), lambda r, f: reviews.correct_review(r, f.data_in()),
         lambda r: url_for("placements.show", placement_id=r.placement_id) if r.is_archived
         else url_for("reviews.show", review_id=r.id)),
    Kind("qa", "qa_activity_id", QAActivity, "the quality assurance record", Permission.QA_RECORD,
         Permission.QA_VIEW, _qa_form, lambda r, f: qa.correct_activity(r, f.data_in()),
         lambda r: url_for("qa.index") if r.is_archived else url_for("qa.show_activity", qa_activity_id=r.id),
         QA_FIELDS),
    Kind("progress", "progress_entry_id", PupilProgressEntry, "the progress record", Permission.PROGRESS_RECORD,
         Permission.PUPILS_VIEW, _progress_form, lambda r, f: qa.correct_progress(r, f.data_in()),
         lambda r: url_for("pupils.show", pupil_id=r.pupil_id, _anchor="timeline")),
)


def _correct(kind: Kind, record_id: int):
    record = school_record_or_404(kind.model, record_id)
    form = kind.form(record)
    if form.validate_on_submit():
        result = kind.save(record, form)
        if result.ok:
            flash(f"{kind.label[0].upper()}{kind.label[1:]} is corrected; its history keeps what it said before.",
                  "success")
            return redirect(kind.back(record))
        form.add_errors(result.errors)
    names = kind.fields or [name for name in form._fields if name != "csrf_token"]
    return render_template("corrections/correct.html", kind=kind, record=record, form=form,
                           fields=[form[name] for name in names], back=kind.back(record))


def _archive(kind: Kind, record_id: int):
    record = school_record_or_404(kind.model, record_id)
    form = ArchiveReasonForm()
    if form.validate_on_submit():
        result = corrections.archive_with_reason(record, form.reason.data, current_user)
        if result.ok:
            flash(f"{kind.label[0].upper()}{kind.label[1:]} is archived; its history keeps it and why.", "success")
            return redirect(kind.back(record))
        form.add_errors(result.errors)
    return render_template("corrections/archive.html", kind=kind, record=record, form=form, back=kind.back(record))


def _history(kind: Kind, record_id: int):
    record = school_record_or_404(kind.model, record_id, include_archived=True)
    return render_template("corrections/history.html", kind=kind, record=record,
                           lines=corrections.history_of(record), back=kind.back(record))


def _register(kind: Kind) -> None:
    segment = f"/{kind.path}/<int:{kind.arg}>"
    endpoint = kind.path.replace("-", "_")
    for action, view, permission, methods in (("correct", _correct, kind.permission, ["GET", "POST"]),
                                              ("archive", _archive, kind.permission, ["GET", "POST"]),
                                              ("history", _history, kind.view_permission, ["GET"])):
        def route(_kind=kind, _view=view, **ids):
            return _view(_kind, ids[_kind.arg])

        route.__name__ = f"{action}_{endpoint}"
        bp.add_url_rule(f"{segment}/{action}", endpoint=route.__name__, view_func=school_permission(permission)(route),
                        methods=methods)


for _kind in KINDS:
    _register(_kind)


@bp.app_template_global("correction_links")
def correction_links(record) -> dict | None:
    """The correct / archive / history URLs of a record, for the pages that list it (None for other records)."""
    for kind in KINDS:
        if isinstance(record, kind.model):
            endpoint = kind.path.replace("-", "_")
            return {action: url_for(f"corrections.{action}_{endpoint}", **{kind.arg: record.id})
                    for action in ("correct", "archive", "history")}
    return None
