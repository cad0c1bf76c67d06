"""Placement pages: commissioning (7.3-7.11), the readiness list, starting (7.12), ending (8.7), off-site
direction (section 6) and the pupil's week. Thin: parse, call app.services.placements, render."""
from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.placements import (
    ActionForm,
    AgreementForm,
    ApprovalForm,
    DirectionForm,
    EndForm,
    KeyInformationForm,
    LetterSentForm,
    PlacementForm,
    SessionsForm,
)
from app.input_edges import id_arg
from app.models import PlacementStatus
from app.permissions import Permission, school_permission
from app.services import consequences
from app.services import placements as service
from app.services.direction_letter import letter_paragraphs, letter_pdf
from app.views import where_to_record
from tenants.web import school_blueprint

bp = school_blueprint("placements", __name__, url_prefix="/placements")


def _can(permission: Permission) -> bool:
    return permission in g.school_permissions


@bp.app_template_global("placement_missing_url")
def _placement_missing_url(missing, placement) -> str:
    """Where a missing thing is recorded (app/views/where_to_record.py: every condition has its page)."""
    return where_to_record.readiness_url(missing, placement)


@bp.route("/")
@school_permission(Permission.PLACEMENTS_VIEW)
def index():
    return render_template("placements/index.html", grouped=service.school_placements(),
                           can_commission=_can(Permission.PLACEMENTS_COMMISSION))


@bp.route("/new", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def new():
    form = PlacementForm(pupils=service.school_pupils(), providers=service.providers_offered(),
                         pupil_id=id_arg("pupil_id"))
    if form.validate_on_submit():
        result = service.create_placement(form.data_in(), by=current_user)
        if result.ok:
            flash("The placement is planned. The list below shows what is still needed before it starts.", "success")
            return redirect(url_for("placements.show", placement_id=result.record.id))
        form.add_errors(result.errors)
    return render_template("placements/form.html", form=form, placement=None)


@bp.route("/<int:placement_id>")
@school_permission(Permission.PLACEMENTS_VIEW)
def show(placement_id: int):
    placement = service.access_placement(placement_id, with_details=True)
    missing = service.placement_readiness(placement) if placement.status == PlacementStatus.PLANNED else []
    return render_template("placements/show.html", placement=placement, missing=missing,
                           cost=service.placement_cost(placement), notices=service.notices_for(placement),
                           weekly_hours=service.weekly_hours(placement), action_form=ActionForm(),
                           can_commission=_can(Permission.PLACEMENTS_COMMISSION),
                           can_approve=_can(Permission.DIRECTION_APPROVE))


@bp.route("/<int:placement_id>/edit", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def edit(placement_id: int):
    placement = service.access_placement(placement_id, with_details=True)
    form = PlacementForm(obj=placement, pupils=[placement.pupil],
                         providers=service.providers_offered(current=placement.provider))
    if form.validate_on_submit():
        result = service.update_placement(placement, form.data_in())
        if result.ok:
            flash("The placement is saved.", "success")
            return redirect(url_for("placements.show", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/form.html", form=form, placement=placement)


@bp.route("/<int:placement_id>/agreement", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def edit_agreement(placement_id: int):
    placement = service.access_placement(placement_id)
    form = AgreementForm(obj=placement.agreement)
    if form.validate_on_submit():
        result = service.save_agreement(placement, form.values())
        if result.ok:
            flash("The commissioning agreement is saved.", "success")
            return redirect(url_for("placements.show", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/agreement.html", form=form, placement=placement)


@bp.route("/<int:placement_id>/sessions", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def edit_sessions(placement_id: int):
    placement = service.access_placement(placement_id)
    form = SessionsForm.for_placement(placement)
    if form.validate_on_submit():
        result = service.set_weekly_pattern(placement, form.sessions())
        if result.ok:
            flash("The weekly pattern is saved.", "success")
            return redirect(url_for("placements.show", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/sessions.html", form=form, placement=placement)


@bp.route("/<int:placement_id>/key-information", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def key_information(placement_id: int):
    placement = service.access_placement(placement_id)
    form = KeyInformationForm(shared_on=placement.key_information_shared_on, note=placement.key_information_note)
    if form.validate_on_submit():
        result = service.record_key_information(placement, form.shared_on.data, form.note.data, by=current_user)
        if result.ok:
            flash("Key information shared with the provider is recorded.", "success")
            return redirect(url_for("placements.show", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/key_information.html", form=form, placement=placement)


@bp.route("/<int:placement_id>/start", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def start(placement_id: int):
    """GET: the confirmation page, saying what starting does and who is told (issue 14 item 3); POST starts."""
    placement = service.access_placement(placement_id)
    if request.method == "GET":
        missing = service.placement_readiness(placement) if placement.status == PlacementStatus.PLANNED else []
        return render_template("placements/start.html", placement=placement, missing=missing,
                               consequences=consequences.of_starting(placement), action_form=ActionForm())
    if ActionForm().validate_on_submit():
        result = service.start_placement(placement, current_user)
        if result.ok:
            told = " The local authority has been informed." if service.needs_la_notice(placement) else ""
            begins = (f" It starts on {placement.start_date:%A %-d %B %Y}."
                      if consequences.starts_later(placement) else "")
            flash(f"The placement has started.{begins}{told}" if not begins
                  else f"The placement is confirmed.{begins}{told}", "success")
        elif result.missing:
            flash(f"The placement cannot start yet: {len(result.missing)} thing(s) still missing, listed below.",
                  "error")
        else:
            flash(" ".join(result.errors.values()), "error")
    return redirect(url_for("placements.show", placement_id=placement_id))


@bp.route("/<int:placement_id>/cancel", methods=["POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def cancel(placement_id: int):
    placement = service.access_placement(placement_id)
    if ActionForm().validate_on_submit():
        result = service.cancel_placement(placement, current_user)
        flash("The placement is cancelled." if result.ok else " ".join(result.errors.values()),
              "success" if result.ok else "error")
    return redirect(url_for("placements.show", placement_id=placement_id))


@bp.route("/<int:placement_id>/end", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def end(placement_id: int):
    placement = service.access_placement(placement_id)
    form = EndForm(ended_on=None if request.method == "POST" else clock.today())
    if form.validate_on_submit():
        result = service.end_placement(placement, current_user, form.data_in())
        if result.ok:
            flash("The placement has ended and its outcome is recorded.", "success")
            return redirect(url_for("placements.show", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/end.html", form=form, placement=placement,
                           consequences=consequences.of_ending(placement))


@bp.route("/<int:placement_id>/direction", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def direction(placement_id: int):
    placement = service.access_placement(placement_id)
    record = placement.off_site_direction
    form = DirectionForm(obj=record)
    if form.validate_on_submit():
        result = service.save_direction(placement, form.data_in())
        if result.ok:
            flash("The off-site direction is saved.", "success")
            return redirect(url_for("placements.direction", placement_id=placement.id))
        form.add_errors(result.errors)
    return render_template("placements/direction.html", form=form, placement=placement, direction=record,
                           letter_form=LetterSentForm(formdata=None),
                           letter_due=service.letter_due_by(record) if record else None)


@bp.route("/directions/<int:direction_id>/approval", methods=["GET", "POST"])
@school_permission(Permission.DIRECTION_APPROVE)
def direction_approval(direction_id: int):
    record = service.access_direction(direction_id)
    form = ApprovalForm(approved_on=record.governing_body_approved_on,
                        reference=record.governing_body_approval_reference)
    if form.validate_on_submit():
        result = service.record_direction_approval(record, form.approved_on.data, form.reference.data,
                                                   by=current_user)
        if result.ok:
            flash("The governing body's approval is recorded.", "success")
            return redirect(url_for("placements.direction_approval", direction_id=record.id))
        form.add_errors(result.errors)
    return render_template("placements/approval.html", form=form, direction=record, placement=record.placement)


@bp.route("/directions/<int:direction_id>/letter-sent", methods=["POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def direction_letter_sent(direction_id: int):
    record = service.access_direction(direction_id)
    form = LetterSentForm()
    if form.validate_on_submit():
        result = service.record_letter_sent(record, form.sent_on.data, by=current_user)
        if result.ok:
            flash("The letter to parents is recorded as sent.", "success")
            return redirect(url_for("placements.direction", placement_id=record.placement_id))
        form.add_errors(result.errors)
    dir_form = DirectionForm(obj=record, formdata=None)
    return render_template("placements/direction.html", form=dir_form, placement=record.placement,
                           direction=record, letter_form=form, letter_due=service.letter_due_by(record)), 400


@bp.route("/directions/<int:direction_id>/letter.pdf")
@school_permission(Permission.PLACEMENTS_VIEW)
def direction_letter(direction_id: int):
    record = service.access_direction(direction_id)
    if request.args.get("view") == "page":
        return render_template("placements/letter.html", direction=record, paragraphs=letter_paragraphs(record))
    return Response(letter_pdf(record), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="off-site-direction-letter-{record.id}.pdf"',
        "X-Content-Type-Options": "nosniff"})


@bp.route("/pupils/<int:pupil_id>/week")
@school_permission(Permission.PLACEMENTS_VIEW)
def pupil_week(pupil_id: int):
    pupil = service.access_pupil(pupil_id)
    return render_template("placements/pupil_week.html", week=service.pupil_week(pupil), pupil=pupil,
                           placements=service.placements_of_pupil(pupil))
