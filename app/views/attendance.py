"""Attendance pages (issue 6; policy 4.5, 7.8): the attendance officer's today page, confirming sessions one by one
or a whole provider's at once, the register-code export for the MIS, and the attendance picture of a pupil and of
a placement. Thin: parse, call app.services.attendance*, render."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.attendance import ConfirmProviderForm, ConfirmSessionForm
from app.permissions import Permission, school_permission, trust_permission
from app.services import attendance_flow
from app.services import attendance_picture as picture
from app.services import attendance_today as today_service
from app.services.calendar import calendar_for_school
from app.services.placements import access_placement
from app.services.providers import access_provider
from app.services.pupils import access_pupil
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("attendance", __name__, url_prefix="/attendance")
trust_bp = Blueprint("trust_attendance", __name__, url_prefix="/trust/attendance")

FIELD_LABELS = {"outcome": "Outcome", "via": "How you know", "minutes_late": "Minutes late",
                "absence_reason": "Absence reason", "note": "Note", "day": "Day", "from": "From", "to": "To"}


def _date_arg(name: str, default: dt.date | None) -> tuple[dt.date | None, str | None]:
    text = (request.values.get(name) or "").strip()
    if not text:
        return default, None
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        return None, f"{FIELD_LABELS[name]}: '{text}' is not a date; use the form 2026-03-16."


def _today_url(day: dt.date, anchor: str | None = None, focus: int | None = None) -> str:
    args = {} if day == clock.today() else {"day": day.isoformat()}
    if focus is not None:
        args["focus"] = focus  # the row whose first choice gets the keyboard focus
    return url_for("attendance.index", **args) + (f"#{anchor}" if anchor else "")


def _render_day(day: dt.date, *, errors: dict[int, dict[str, str]] | None = None, problem: str | None = None,
                status: int = 200):
    calendar = calendar_for_school(g.school.id)
    # Reads only: the 07:30 sweep made the day's sessions, and starting a placement makes its own (GET never writes).
    page = today_service.attendance_day(calendar, day)
    can_record = Permission.ATTENDANCE_RECORD in g.school_permissions
    before, after = attendance_flow.school_days_around(calendar, day)
    # Focus: the row asked for (the next one after a save), else the first still to confirm; none after an error.
    focus = request.args.get("focus", type=int)
    if focus is None and not errors and page.unconfirmed:
        focus = page.unconfirmed[0].id
    return render_template(
        "attendance/today.html", page=page, today=clock.today(), errors=errors or {}, problem=problem,
        can_record=can_record, can_export=Permission.ATTENDANCE_EXPORT in g.school_permissions,
        via_choices=today_service.VIA_CHOICES, reason_choices=today_service.ABSENCE_REASON_CHOICES,
        via_labels=today_service.VIA_LABELS, code_of=today_service.code_of,
        needs_confirming=today_service.needs_confirming, field_labels=FIELD_LABELS,
        previous_day=today_service.school_day_before(calendar, day),
        next_day=today_service.school_day_after(calendar, day),
        school_day_before=before, school_day_after=after, focus=focus if can_record else None,
    ), status


@bp.route("/")
@school_permission(Permission.ATTENDANCE_VIEW)
def index():
    day, problem = _date_arg("day", clock.today())
    if problem:
        return _render_day(clock.today(), problem=problem, status=400)
    return _render_day(day)


def _with_field_names(errors: dict[str, str]) -> dict[str, str]:
    return {name: f"{FIELD_LABELS.get(name, name)}: {message}" for name, message in errors.items()}


@bp.route("/sessions/<int:attendance_session_id>/confirm", methods=["POST"])
@school_permission(Permission.ATTENDANCE_RECORD)
def confirm(attendance_session_id: int):
    session = today_service.access_session_of_day(attendance_session_id)
    form = ConfirmSessionForm()
    if not form.validate_on_submit():
        flash("The form had expired: please try again.", "error")
        return redirect(_today_url(session.day, f"session-{session.id}"))
    confirmation, errors = today_service.confirmation_from(form.outcome.data, form.via.data, form.minutes_late.data,
                                                           form.absence_reason.data, form.note.data)
    result = today_service.record_confirmation(session, confirmation, current_user.id, errors)
    if not result.ok:
        return _render_day(session.day, errors={session.id: _with_field_names(result.errors)}, status=400)
    flash(f"{session.pupil.display_name}, {session.session.value.upper()}: {session.outcome.value}"
          f" (code {session.register_code}).", "success")
    following = attendance_flow.next_unconfirmed(session.day, session)
    if following is None:
        return redirect(_today_url(session.day, "confirmed-heading"))
    # No #fragment: a URL fragment makes browsers skip autofocus, and focusing the row scrolls to it anyway.
    return redirect(_today_url(session.day, focus=following.id))


@bp.route("/providers/<int:provider_id>/confirm-all", methods=["POST"])
@school_permission(Permission.ATTENDANCE_RECORD)
def confirm_provider(provider_id: int):
    """Every unconfirmed session of this provider on the day, as attended (the provider says all arrived)."""
    access_provider(provider_id)  # another school's own provision is not found
    day, problem = _date_arg("day", clock.today())
    form = ConfirmProviderForm()
    if problem or not form.validate_on_submit():
        flash(problem or "The form had expired: please try again.", "error")
        return redirect(url_for("attendance.index"))
    sessions = today_service.unconfirmed_of_provider(day, provider_id)
    if not sessions:
        flash("Nothing of this provider's is waiting to be confirmed on that day.", "error")
        return redirect(_today_url(day))
    result = today_service.record_provider_attended(sessions, form.via.data, current_user.id)
    if not result.ok:
        return _render_day(day, problem="; ".join(_with_field_names(result.errors).values()), status=400)
    flash(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} at {sessions[0].provider.name} "
          "confirmed as attended.", "success")
    return redirect(_today_url(day, f"provider-{provider_id}"))


@bp.route("/export.csv")
@school_permission(Permission.ATTENDANCE_EXPORT)
def export():
    """The register codes for the MIS: ?day=YYYY-MM-DD (today when not given), or ?from=...&to=..."""
    day, problem = _date_arg("day", clock.today())
    first, problem_from = _date_arg("from", day)
    last, problem_to = _date_arg("to", first if "from" in request.args else day)
    problem = problem or problem_from or problem_to
    if not problem:
        problem = today_service.export_problem(first, last)
    if problem:
        return Response(problem + "\n", status=400, mimetype="text/plain")
    sessions = today_service.export_sessions(calendar_for_school(g.school.id), first, last, g.school)
    body = today_service.export_csv(sessions)
    name = f"attendance-{g.school.slug}-{first.isoformat()}" + (f"-to-{last.isoformat()}" if last != first else "")
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/pupils/<int:pupil_id>")
@school_permission(Permission.ATTENDANCE_VIEW)
def pupil(pupil_id: int):
    found = access_pupil(pupil_id)
    chart = picture.picture_of(picture.marks_of_pupil(found.id), calendar_for_school(g.school.id))
    return render_template("attendance/picture.html", title=f"Attendance: {found.display_name}", pupil=found,
                           placement=None, picture=chart)


@bp.route("/placements/<int:placement_id>")
@school_permission(Permission.ATTENDANCE_VIEW)
def placement(placement_id: int):
    found = access_placement(placement_id)
    chart = picture.picture_of(picture.marks_of_placement(found.id), calendar_for_school(g.school.id))
    return render_template("attendance/picture.html",
                           title=f"Attendance: {found.pupil.display_name} at {found.provider.name}",
                           pupil=found.pupil, placement=found, picture=chart)


@trust_bp.route("/")
@trust_permission(Permission.TRUST_ATTENDANCE_VIEW)
def trust_overview():
    """Every school's sessions still unconfirmed today and its pupils (initials only) below the threshold."""
    with trust_scope(current_user.id, "trust attendance: unconfirmed sessions today and low attendance"):
        lines = picture.trust_attendance()
    return render_template("attendance/trust.html", lines=lines, today=clock.today())
