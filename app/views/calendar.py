"""The school calendar pages: every role reads it; the AP leader enters half-terms and training days."""
from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from app import clock
from app.forms.calendar import HalfTermForm, RemoveForm, TrainingDayForm
from app.permissions import Permission, school_permission
from app.school_calendar import academic_year_of
from app.services import calendar as calendar_service
from tenants.web import school_blueprint

bp = school_blueprint("calendar", __name__)


def _years_offered() -> list[int]:
    this_year = academic_year_of(clock.today())
    return [this_year - 1, this_year, this_year + 1, this_year + 2]


@bp.route("/calendar")
@school_permission(Permission.CALENDAR_VIEW)
def overview():
    return render_template("school/calendar.html", overview=calendar_service.calendar_overview(clock.today()),
                           can_edit=Permission.CALENDAR_EDIT in g.school_permissions, remove_form=RemoveForm())


@bp.route("/calendar/half-terms/new", methods=["GET", "POST"])
@school_permission(Permission.CALENDAR_EDIT)
def new_half_term():
    form = HalfTermForm(years=_years_offered(), academic_year=academic_year_of(clock.today()))
    if form.validate_on_submit():
        result = calendar_service.add_half_term(form.dates(), by=current_user)
        if result.ok:
            flash(f"{result.record} is saved.", "success")
            return redirect(url_for("calendar.overview"))
        form.add_errors(result.errors)
    return render_template("school/calendar_half_term.html", form=form, half_term=None)


@bp.route("/calendar/half-terms/<int:half_term_id>", methods=["GET", "POST"])
@school_permission(Permission.CALENDAR_EDIT)
def edit_half_term(half_term_id: int):
    half_term = calendar_service.access_half_term(half_term_id)
    form = HalfTermForm.for_half_term(half_term, years=_years_offered())
    if form.validate_on_submit():
        result = calendar_service.update_half_term(half_term, form.dates(), by=current_user)
        if result.ok:
            flash(f"{result.record} is saved.", "success")
            return redirect(url_for("calendar.overview"))
        form.add_errors(result.errors)
    return render_template("school/calendar_half_term.html", form=form, half_term=half_term,
                           remove_form=RemoveForm())


@bp.route("/calendar/half-terms/<int:half_term_id>/remove", methods=["POST"])
@school_permission(Permission.CALENDAR_EDIT)
def remove_half_term(half_term_id: int):
    half_term = calendar_service.access_half_term(half_term_id)
    if RemoveForm().validate_on_submit():
        name = str(half_term)
        result = calendar_service.remove_half_term(half_term)
        if result.ok:
            flash(f"{name} is removed.", "success")
        else:
            flash(" ".join(result.errors.values()), "error")
            return redirect(url_for("calendar.edit_half_term", half_term_id=half_term_id))
    return redirect(url_for("calendar.overview"))


@bp.route("/calendar/training-days/new", methods=["GET", "POST"])
@school_permission(Permission.CALENDAR_EDIT)
def new_training_day():
    form = TrainingDayForm()
    if form.validate_on_submit():
        result = calendar_service.add_training_day(form.day.data, form.note.data)
        if result.ok:
            flash(f"The training day on {form.day.data:%A %-d %B %Y} is saved.", "success")
            return redirect(url_for("calendar.overview"))
        form.add_errors(result.errors)
    return render_template("school/calendar_training_day.html", form=form)


@bp.route("/calendar/training-days/<int:training_day_id>/remove", methods=["POST"])
@school_permission(Permission.CALENDAR_EDIT)
def remove_training_day(training_day_id: int):
    training_day = calendar_service.access_training_day(training_day_id)
    if RemoveForm().validate_on_submit():
        day = training_day.day
        calendar_service.remove_training_day(training_day)
        flash(f"The training day on {day:%A %-d %B %Y} is removed.", "success")
    return redirect(url_for("calendar.overview"))
