"""Part-time timetable pages (issue 15; policy 9.3-9.7): the school's timetables and the LA return, proposing one,
and one timetable's page where its agreement, involvement, approval, reviews and the return to full time are
recorded; the trust's counts. Thin: parse, call app.services.part_time_timetables, render or redirect."""
from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.part_time import SESSIONS, WEEKDAYS, parse_date, parse_int, proposal_from, review_from
from app.permissions import Permission, school_permission, trust_permission
from app.policy import part_time_timetables as policy
from app.services import part_time_counts
from app.services import part_time_notices as notices
from app.services import part_time_timetables as service
from app.services import responsible_local_authority as responsible_la
from app.services.accounts import school_staff
from app.services.placements import placements_of_school
from app.services.pupils import access_pupil, school_pupils
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("part_time", __name__)
trust_bp = Blueprint("trust_part_time", __name__, url_prefix="/trust")


@bp.route("/part-time-timetables")
@school_permission(Permission.PART_TIME_VIEW)
def index():
    return render_template("part_time/index.html", timetables=service.timetables(), today=clock.today(),
                           counts=part_time_counts.school_counts(""), categories=policy.REASON_CATEGORIES)


@bp.route("/part-time-timetables/return.csv")
@school_permission(Permission.PART_TIME_VIEW)
def la_return():
    """Policy 9.7: the current timetables as the LA's return, to download and send where the LA asks for one."""
    body = notices.return_csv(notices.return_rows(notices.current_timetables()))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=part-time-timetables-{clock.today().isoformat()}.csv"})


def _proposal_choices():
    pupils = school_pupils()
    # Least privilege: a member of staff without placement access proposes on-site / not-in-education sessions.
    placements = placements_of_school() if Permission.PLACEMENTS_VIEW in g.school_permissions else []
    staff = school_staff(g.school.id)
    return {"pupils": pupils, "placements": placements, "staff": staff,
            "categories": policy.accepted_reason_categories(), "weekdays": WEEKDAYS, "sessions": SESSIONS,
            "arrangements": list(policy.Arrangement)}


@bp.route("/part-time-timetables/new", methods=["GET", "POST"])
@school_permission(Permission.PART_TIME_PROPOSE)
def new():
    """Policy 9.5: any member of staff may propose a part-time timetable."""
    errors, form = {}, request.form
    if request.method == "POST":
        data, errors = proposal_from(form)
        if not errors:
            result = service.propose(data, current_user)
            if result.ok:
                flash("The part-time timetable is proposed. It is not in force until the parent or carer has "
                      "agreed and the headteacher has approved it (9.5, 9.6).", "success")
                if Permission.PART_TIME_VIEW in g.school_permissions:
                    return redirect(url_for("part_time.show", timetable_id=result.record.id))
                return redirect(url_for("school.dashboard"))
            errors = result.errors
    status = 400 if errors else 200
    return render_template("part_time/new.html", errors=errors, form=form, behaviour=policy.SECTION_9_4,
                           pupil_id=parse_int(request.args.get("pupil_id")), **_proposal_choices()), status


def _show(timetable, errors=None, status=200):
    return render_template(
        "part_time/show.html", t=timetable, errors=errors or {}, form=request.form, week=service.week(timetable),
        missing=service.missing_before_approval(timetable) if timetable.status is policy.TimetableStatus.PROPOSED
        else [], involvements=service.involvements_of(timetable), categories=policy.REASON_CATEGORIES,
        weekdays=WEEKDAYS, sessions=SESSIONS, today=clock.today(), decisions=list(policy.ReviewDecision),
        agreed_how=service.AGREED_HOW, duration=service.total_duration_days(timetable),
        past_six_weeks=policy.planned_past_six_weeks(timetable.start_date, timetable.end_date)), status


@bp.route("/part-time-timetables/<int:timetable_id>")
@school_permission(Permission.PART_TIME_VIEW)
def show(timetable_id: int):
    return _show(service.access_timetable(timetable_id))


def _after(timetable, result, message: str):
    if result.ok:
        flash(message, "success")
        return redirect(url_for("part_time.show", timetable_id=timetable.id))
    return _show(service.access_timetable(timetable.id), result.errors, 400)


@bp.route("/part-time-timetables/<int:timetable_id>/agreement", methods=["POST"])
@school_permission(Permission.PART_TIME_RECORD)
def agreement(timetable_id: int):
    timetable = service.access_timetable(timetable_id)
    errors: dict[str, str] = {}
    agreed_on = parse_date(request.form.get("agreed_on"), "agreed_on", errors)
    if errors:
        return _show(timetable, errors, 400)
    result = service.record_agreement(timetable, carer_id=parse_int(request.form.get("carer_id")),
                                      agreed_by_name=request.form.get("agreed_by_name"), agreed_on=agreed_on,
                                      agreed_how=request.form.get("agreed_how"), by=current_user)
    return _after(timetable, result, "The parent's or carer's agreement is recorded.")


@bp.route("/part-time-timetables/<int:timetable_id>/involvement", methods=["POST"])
@school_permission(Permission.PART_TIME_RECORD)
def involvement(timetable_id: int):
    timetable = service.access_timetable(timetable_id)
    errors: dict[str, str] = {}
    involved_on = parse_date(request.form.get("involved_on"), "involved_on", errors)
    if errors:
        return _show(timetable, errors, 400)
    result = service.record_involvement(timetable, party=request.form.get("party"),
                                        person_name=request.form.get("person_name"), involved_on=involved_on,
                                        notes=request.form.get("notes"), by=current_user)
    return _after(timetable, result, "The involvement is recorded and they are told through the outbox.")


@bp.route("/part-time-timetables/<int:timetable_id>/approval", methods=["POST"])
@school_permission(Permission.PART_TIME_APPROVE)
def approval(timetable_id: int):
    timetable = service.access_timetable(timetable_id)
    return _after(timetable, service.approve(timetable, current_user),
                  "Approved. The part-time timetable is in force from its start date (9.5).")


@bp.route("/part-time-timetables/<int:timetable_id>/reviews", methods=["POST"])
@school_permission(Permission.PART_TIME_RECORD)
def review(timetable_id: int):
    timetable = service.access_timetable(timetable_id)
    data, errors = review_from(request.form)
    if errors:
        return _show(timetable, errors, 400)
    return _after(timetable, service.record_review(timetable, data, current_user), "The review is recorded.")


@bp.route("/part-time-timetables/<int:timetable_id>/end", methods=["POST"])
@school_permission(Permission.PART_TIME_RECORD)
def end(timetable_id: int):
    timetable = service.access_timetable(timetable_id)
    errors: dict[str, str] = {}
    ended_on = parse_date(request.form.get("ended_on"), "ended_on", errors)
    if errors:
        return _show(timetable, errors, 400)
    result = service.end(timetable, ended_on=ended_on, note=request.form.get("end_note"), by=current_user)
    return _after(timetable, result, "The pupil returns to full-time education.")


@bp.route("/pupils/<int:pupil_id>/responsible-local-authority", methods=["POST"])
@school_permission(Permission.PUPILS_EDIT)
def responsible_local_authority(pupil_id: int):
    """Issue 15: the LA responsible for a looked-after or EHCP pupil, where it is not the school's."""
    pupil = access_pupil(pupil_id)
    result = responsible_la.set_responsible_local_authority(
        pupil, parse_int(request.form.get("responsible_local_authority_id")))
    flash("The responsible local authority is recorded." if result.ok
          else result.errors["responsible_local_authority_id"], "success" if result.ok else "error")
    return redirect(url_for("pupils.show", pupil_id=pupil_id) + "#part-time")


@bp.app_template_global("local_authorities")
def _local_authorities():
    return responsible_la.local_authorities()


@bp.app_template_global("part_time_timetables_of")
def _of_pupil(pupil_id: int):
    """The pupil's page lists the pupil's timetables (part_time/_for_pupil.html)."""
    return service.timetables_of_pupil(pupil_id)


@bp.app_template_global("part_time_week")
def _week(timetable):
    return service.week(timetable)


@bp.app_template_global("part_time_school_counts")
def _school_counts():
    return part_time_counts.school_counts("")


@trust_bp.route("/part-time-timetables")
@trust_permission(Permission.TRUST_MONITORING_VIEW)
def trust_index():
    """Issue 15: each school's active timetables and the longest running (initials only), across the trust."""
    with trust_scope(current_user.id, "trust part-time timetables: each school's counts"):
        counts = part_time_counts.trust_counts()
    return render_template("part_time/trust.html", counts=counts)
