"""Pupil pages: the list and search, the pupil page (sections and timeline), the pupil record, and the forms
for what precedes a placement (4.3, 5.4, 5.5, 7.4-7.6). Thin: parse, call app.services.pupils, render."""
from __future__ import annotations

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.pupils import (
    ArchiveForm,
    BelongingActionForm,
    CarerForm,
    ConsultationForm,
    EventRiskAssessmentForm,
    ImportConfirmForm,
    ImportUploadForm,
    InvolvementForm,
    PupilForm,
    ReferralForm,
    RiskAssessmentForm,
)
from app.models import BackgroundJob
from app.permissions import Permission, school_permission
from app.policy.referral import reason_label
from app.services import background_jobs, pupil_import, pupil_import_job, read_audit
from app.services import pupils as service
from app.services import timeline as timelines
from app.views import where_to_record
from tenants.web import school_blueprint

bp = school_blueprint("pupils", __name__, url_prefix="/pupils")


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/")
@school_permission(Permission.PUPILS_VIEW)
def index():
    listing = service.list_pupils(request.args.get("q"), _int_arg("page") or 1,
                                  include_archived=request.args.get("archived") == "1")
    return render_template("pupils/index.html", listing=listing, year_group_label=service.year_group_label,
                           can_edit=Permission.PUPILS_EDIT in g.school_permissions,
                           can_import=Permission.PUPILS_IMPORT in g.school_permissions)


@bp.route("/new", methods=["GET", "POST"])
@school_permission(Permission.PUPILS_EDIT)
def new():
    form = PupilForm()
    if form.validate_on_submit():
        result = service.create_pupil(form.values(), by=current_user)
        if result.ok:
            flash(f"{result.record.display_name} is added.", "success")
            return redirect(url_for("pupils.show", pupil_id=result.record.id))
        form.add_errors(result.errors)
    return render_template("pupils/pupil_form.html", form=form, pupil=None, upn_hint=service.UPN_HINT)


@bp.route("/<int:pupil_id>")
@school_permission(Permission.PUPILS_VIEW)
def show(pupil_id: int):
    pupil = service.access_pupil_for_page(pupil_id)
    read_audit.record_read("Pupil", pupil.id, pupil.id, current_user.id, pupil.school_id)
    records = service.pupil_records(pupil, with_archived=True)
    today = clock.today()
    missing = service.pre_placement_missing(pupil, today, records)
    return render_template(
        "pupils/show.html", pupil=pupil, records=records, age=service.school_age_of(pupil, today),
        missing=[(m, where_to_record.pre_placement_page(m, pupil.id)) for m in missing],
        timeline=timelines.pupil_timeline(pupil, g.school_permissions, records), service=service,
        reason_label=reason_label, archive_form=ArchiveForm(), archived=service.archived_records(pupil, records),
        can_edit=Permission.PUPILS_EDIT in g.school_permissions,
        can_record=Permission.PRE_PLACEMENT_RECORD in g.school_permissions)


@bp.route("/<int:pupil_id>/edit", methods=["GET", "POST"])
@school_permission(Permission.PUPILS_EDIT)
def edit(pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    form = PupilForm(obj=pupil)
    if form.validate_on_submit():
        result = service.update_pupil(pupil, form.values(), by=current_user)
        if result.ok:
            flash(f"{pupil.display_name}'s record is saved.", "success")
            return redirect(url_for("pupils.show", pupil_id=pupil.id))
        form.add_errors(result.errors)
    return render_template("pupils/pupil_form.html", form=form, pupil=pupil, upn_hint=service.UPN_HINT)


@bp.route("/<int:pupil_id>/archive", methods=["POST"])
@school_permission(Permission.PUPILS_EDIT)
def archive(pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    if ArchiveForm().validate_on_submit():
        result = service.archive_pupil(pupil, by=current_user)
        if result.ok:
            flash(f"{pupil.display_name} is archived: the record is kept.", "success")
            return redirect(url_for("pupils.index"))
        flash(" ".join(result.errors.values()), "error")
    return redirect(url_for("pupils.show", pupil_id=pupil.id))


@bp.route("/<int:pupil_id>/restore", methods=["POST"])
@school_permission(Permission.PUPILS_EDIT)
def restore(pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    if ArchiveForm().validate_on_submit():
        result = service.restore_pupil(pupil, by=current_user)
        if result.ok:
            flash(f"{pupil.display_name} is restored to the list.", "success")
        else:
            flash(" ".join(result.errors.values()), "error")
    return redirect(url_for("pupils.show", pupil_id=pupil.id))


def _record_page(pupil_id: int, form, save, template: str, done: str, **context):
    """The shape every 'record something about this pupil' page shares."""
    pupil = service.access_pupil(pupil_id, include_archived=False)
    if form.validate_on_submit():
        result = save(pupil, form.values())
        if result.ok:
            flash(done, "success")
            return redirect(url_for("pupils.show", pupil_id=pupil.id))
        form.add_errors(result.errors)
    return render_template(template, form=form, pupil=pupil, **context)


@bp.route("/<int:pupil_id>/carers/new", methods=["GET", "POST"])
@school_permission(Permission.PUPILS_EDIT)
def new_carer(pupil_id: int):
    return _record_page(pupil_id, CarerForm(), lambda p, v: service.add_carer(p, v, by=current_user),
                        "pupils/carer_form.html", "The parent or carer is added.")


@bp.route("/<int:pupil_id>/referrals/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_referral(pupil_id: int):
    return _record_page(pupil_id, ReferralForm(), lambda p, v: service.record_referral(p, v, by=current_user),
                        "pupils/referral_form.html", "The referral and needs analysis are saved.")


@bp.route("/<int:pupil_id>/risk-assessments/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_risk_assessment(pupil_id: int):
    pupil = service.access_pupil(pupil_id, include_archived=False)
    reviews_id = _int_arg("reviews")
    reviews = service.access_risk_assessment(pupil, reviews_id) if reviews_id else None
    form = RiskAssessmentForm(obj=reviews) if reviews and request.method == "GET" else RiskAssessmentForm()
    if reviews and request.method == "GET":
        form.assessed_on.data, form.review_due_on.data = clock.today(), None
    return _record_page(pupil_id, form,
                        lambda p, v: service.record_risk_assessment(p, v, by=current_user, reviews=reviews),
                        "pupils/risk_assessment_form.html",
                        "The risk assessment review is saved." if reviews else "The risk assessment is saved.",
                        reviews=reviews)


@bp.route("/<int:pupil_id>/consultations/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_consultation(pupil_id: int):
    pupil = service.access_pupil(pupil_id, include_archived=False)
    placement_id = _int_arg("placement_id")
    placement = service.access_pupil_placement(pupil, placement_id) if placement_id else None
    return _record_page(pupil_id, ConsultationForm(carers=service.carers_of(pupil)),
                        lambda p, v: service.record_consultation(p, v, by=current_user, placement=placement),
                        "pupils/consultation_form.html", "The consultation is saved.", placement=placement)


@bp.route("/<int:pupil_id>/involvements/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_involvement(pupil_id: int):
    form = InvolvementForm()
    if request.method == "GET" and request.args.get("party"):
        form.party.data = request.args["party"]
    return _record_page(pupil_id, form, lambda p, v: service.record_involvement(p, v, by=current_user),
                        "pupils/involvement_form.html", "The involvement is saved.")


@bp.route("/<int:pupil_id>/belonging/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_belonging_action(pupil_id: int):
    return _record_page(pupil_id, BelongingActionForm(),
                        lambda p, v: service.record_belonging_action(p, v, by=current_user),
                        "pupils/belonging_form.html", "The belonging action is saved.")


@bp.route("/<int:pupil_id>/event-risk-assessments/new", methods=["GET", "POST"])
@school_permission(Permission.PRE_PLACEMENT_RECORD)
def new_event_risk_assessment(pupil_id: int):
    pupil = service.access_pupil(pupil_id, include_archived=False)
    return _record_page(pupil_id, EventRiskAssessmentForm(),
                        lambda p, v: service.record_event_risk_assessment(p, v, by=current_user),
                        "pupils/event_risk_form.html", "The event risk assessment is saved.",
                        directed=service.is_off_site_directed(pupil))


# --- importing from the MIS ---------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@school_permission(Permission.PUPILS_IMPORT)
def import_csv():
    """Upload: a preview with every row's problems; confirm: all rows in one transaction, or none."""
    upload, confirm = ImportUploadForm(), ImportConfirmForm()
    preview = None
    if request.method == "POST" and request.form.get("step") == "confirm":
        if confirm.validate_on_submit():
            outcome = pupil_import.confirm_import(confirm.token.data)
            if outcome.imported:
                flash(f"{outcome.preview.to_create} pupils added and {outcome.preview.to_update} updated.", "success")
                return redirect(url_for("pupils.index"))
            preview = outcome.preview
    elif upload.validate_on_submit():
        outcome = pupil_import_job.upload(upload.file.data, current_user)
        if isinstance(outcome, BackgroundJob):  # a long file: imported by a job, watched on its page
            return redirect(url_for("pupils.import_job", job_id=outcome.id))
        preview = outcome
    if preview is not None and preview.ok:
        confirm.token.data = preview.token
    return render_template("pupils/import.html", upload=upload, confirm=confirm, preview=preview,
                           limits=pupil_import.LIMITS_TEXT, job_rows=current_app.config["PUPIL_IMPORT_JOB_ROWS"])


@bp.route("/import/jobs/<int:job_id>")
@school_permission(Permission.PUPILS_IMPORT)
def import_job(job_id: int):
    """A long import's progress, then its result (issue 14 item 7); another school's job is a 404."""
    job = background_jobs.access_job(job_id, kind=pupil_import_job.KIND)
    return render_template("background_jobs/show.html", job=job, label="Importing pupils from the MIS",
                           labels=pupil_import_job.SUMMARY_LABELS,
                           links=[("Pupils", url_for("pupils.index")), ("Import another file", url_for("pupils.import_csv"))])


@bp.route("/import/sample.csv")
@school_permission(Permission.PUPILS_IMPORT)
def import_sample():
    return Response(pupil_import.sample_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=pupils-sample.csv"})
