"""The school census's AP placements (issue 16 item 7): for a census period, each placement the school arranged in
the DfE's items, the items still missing with a link to fix each, and the CSV only once nothing is missing. Thin:
parse, call app.services.census, render."""
from __future__ import annotations

import datetime as dt

from flask import Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.forms.census import CensusPeriodForm, CensusProviderForm, CensusReasonForm
from app.permissions import Permission, school_permission
from app.policy.census_codes import CENSUS_GUIDE, REASON_LABELS, REASONS_CONFIRMED, SETTING_TYPE_LABELS
from app.services import census as service
from app.services import provider_governance as governance
from app.services.ap_report import terms_of
from app.services.calendar import calendar_for_school
from app.services.placements import access_placement
from app.services.providers import access_provider
from tenants.web import school_blueprint

bp = school_blueprint("census", __name__, url_prefix="/census")


def _default_period() -> tuple[dt.date, dt.date]:
    """The term that holds today (census day in it), else the last 90 days."""
    today = clock.today()
    for term in terms_of(calendar_for_school()):
        if term.first_day <= today <= term.last_day:
            return term.first_day, today
    return today - dt.timedelta(days=90), today


def _period():
    """(form, first_day, last_day, errors) from the query string; the default period when none is asked for."""
    form = CensusPeriodForm(request.args)
    if not request.args:
        first, last = _default_period()
        form = CensusPeriodForm(data={"first_day": first, "last_day": last})
        return form, first, last, {}
    form.validate()
    errors = {name: field.errors[0] for name, field in form._fields.items() if field.errors}
    errors = errors or service.period_errors(form.first_day.data, form.last_day.data)
    form.add_errors({k: v for k, v in errors.items() if not form[k].errors} if errors else {})
    return form, form.first_day.data, form.last_day.data, errors


FIXED_WITH = {"provider": Permission.PROVIDERS_EDIT, "reason": Permission.PLACEMENTS_COMMISSION,
              "sessions": Permission.PLACEMENTS_COMMISSION}


def _fix_url(row, missing) -> str | None:
    """Where the item is fixed, when this person may fix it (else the page says who does)."""
    if FIXED_WITH[missing.item] not in g.school_permissions:
        return None
    back = request.full_path
    if missing.item == "provider":
        return url_for("census.provider_items", provider_id=row.provider_id, next=back)
    if missing.item == "reason":
        return url_for("census.placement_reason", placement_id=row.placement_id, next=back)
    return url_for("placements.edit_sessions", placement_id=row.placement_id)


def _page(form, census, status: int = 200, refused: bool = False):
    return render_template("census/index.html", form=form, census=census, fix_url=_fix_url, refused=refused,
                           reason_labels=REASON_LABELS, setting_labels=SETTING_TYPE_LABELS, guide=CENSUS_GUIDE,
                           reasons_confirmed=REASONS_CONFIRMED), status


@bp.route("/")
@school_permission(Permission.CENSUS_VIEW)
def index():
    form, first_day, last_day, errors = _period()
    return _page(form, None if errors else service.census_return(first_day, last_day), 400 if errors else 200)


@bp.route("/placements.csv")
@school_permission(Permission.CENSUS_VIEW)
def download():
    form, first_day, last_day, errors = _period()
    if errors:
        return _page(form, None, 400)
    census = service.census_return(first_day, last_day)
    if not census.ready:
        return _page(form, census, 409, refused=True)
    return Response(census.csv(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="census-ap-placements-{g.school.slug}-{last_day}.csv"'})


def _back(default: str) -> str:
    target = request.args.get("next", "")
    return target if target.startswith(f"/{g.school.slug}/census") else default


@bp.route("/placements/<int:placement_id>/reason", methods=["GET", "POST"])
@school_permission(Permission.PLACEMENTS_COMMISSION)
def placement_reason(placement_id: int):
    placement = access_placement(placement_id)
    form = CensusReasonForm() if request.method == "POST" else CensusReasonForm(
        data={"census_reason": placement.census_reason or ""})
    if form.validate_on_submit():
        result = service.set_reason(placement, form.census_reason.data, current_user)
        if result.ok:
            flash("The placement's census reason is saved.", "success")
            return redirect(_back(url_for("census.index")))
        form.add_errors(result.errors)
    return render_template("census/reason.html", form=form, placement=placement), 400 if form.errors else 200


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def provider_items(provider_id: int):
    provider = access_provider(provider_id)
    reason = governance.refusal(provider, g.school)
    if reason is not None:
        flash(reason, "error")
        return redirect(_back(url_for("census.index")))
    form = CensusProviderForm() if request.method == "POST" else CensusProviderForm(data={
        "urn": provider.ofsted_urn or "", "ukprn": provider.ukprn or "", "ap_setting_type": provider.ap_setting_type or ""})
    if form.validate_on_submit():
        result = service.set_provider_items(provider, form.urn.data, form.ukprn.data, form.ap_setting_type.data,
                                            g.school, current_user)
        if result.ok:
            flash(f"{provider.name}'s census identifiers are saved.", "success")
            return redirect(_back(url_for("census.index")))
        form.add_errors(result.errors)
    return render_template("census/provider.html", form=form, provider=provider), 400 if form.errors else 200
