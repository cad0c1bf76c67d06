"""The shared provider register (policy 7.1-7.9): the school pages under /<school>/providers/ (the register is
shared; the acting school comes from the URL) and the trust pages under /trust/providers/."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from app import clock
from app.extensions import db
from app.forms.providers import (
    KIND_LABELS,
    REGISTRATION_LABELS,
    ConcernForm,
    ContactForm,
    LiftSuspensionForm,
    MaterialChangeForm,
    NewProviderForm,
    ProviderForm,
    RemoveForm,
    ResolveConcernForm,
    SearchForm,
    SiteForm,
    StartCheckForm,
    SuspendForm,
)
from app.models import ConcernSeverity, ProviderKind
from app.permissions import Permission, has_trust_permission, school_permission, trust_permission
from app.services import consequences
from app.services import provider_governance as governance
from app.services import providers as service
from app.services.registration import trust_registration_report
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("providers", __name__, url_prefix="/providers")
trust_bp = Blueprint("trust_providers", __name__, url_prefix="/trust/providers")


@bp.context_processor
def labels():
    """The register's words for its templates (the checks' pages share them, app/views/provider_checks.py)."""
    return {"kind_labels": KIND_LABELS, "registration_labels": REGISTRATION_LABELS,
            "concern_categories": service.CONCERN_CATEGORIES, "item_label": service.item_label}


def _can(permission: Permission) -> bool:
    return permission in g.school_permissions


def _refused(provider):
    """The way back, with why, when this school may not change the shared record (issue 13 item 2)."""
    reason = governance.refusal(provider, g.school)
    if reason is None:
        return None
    flash(reason, "error")
    return redirect(url_for("providers.show", provider_id=provider.id))


def _tell_others(provider, what: str) -> None:
    governance.tell_other_schools(provider, g.school, current_user, what)
    db.session.commit()


@bp.route("/")
@school_permission(Permission.PROVIDERS_VIEW)
def index():
    form = SearchForm(request.args)
    status = service.StatusFilter(form.status.data) if form.status.data in set(service.StatusFilter) else None
    kind = ProviderKind(form.kind.data) if form.kind.data in set(ProviderKind) else None
    listings = service.search_providers(g.school.id, form.q.data or "", status=status, kind=kind)
    return render_template("providers/index.html", form=form, listings=listings,
                           can_edit=_can(Permission.PROVIDERS_EDIT))


@bp.route("/new", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def new():
    form = NewProviderForm()
    if form.validate_on_submit():
        result = service.create_provider(form.details(), g.school, current_user, site=form.first_site(),
                                         contact=form.first_contact())
        if result.ok:
            flash(f"{result.record.name} is on the register.", "success")
            return redirect(url_for("providers.show", provider_id=result.record.id))
        form.add_errors(result.errors)
    return render_template("providers/form.html", form=form, provider=None)


@bp.route("/<int:provider_id>")
@school_permission(Permission.PROVIDERS_VIEW)
def show(provider_id: int):
    provider = service.access_provider(provider_id, with_sites_and_contacts=True)
    checks = service.checks_of(provider)
    assessments = service.risk_assessments_of(provider)
    uses = service.school_uses_provider(provider.id, g.school.id)
    concerns = service.concerns_visible_to(provider, g.school.id, uses)
    suspensions = service.suspension_history(provider)
    schools, people = service.school_and_user_names(
        [c.made_by_school_id for c in checks] + [a.made_by_school_id for a in assessments]
        + [c.made_by_school_id for c in concerns],
        [a.approved_by_id for a in assessments] + [c.raised_by_id for c in concerns]
        + [c.resolved_by_id for c in concerns] + [c.started_by_id for c in checks] + [e.by_id for e in suspensions])
    return render_template(
        "providers/show.html", checks=checks, provider=provider,
        # Counted from what the page has read: every school's concerns are among them when this school uses it.
        status=service.provider_status(provider, assessments=assessments, every_concern=concerns if uses else None),
        assessments=assessments, concerns=concerns, schools=schools, people=people, suspensions=suspensions,
        sites=service.active_sites(provider), contacts=service.active_contacts(provider),
        start_form=StartCheckForm(), remove_form=RemoveForm(),
        can=lambda name: _can(Permission[name]))


@bp.route("/<int:provider_id>/edit", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def edit(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = ProviderForm() if request.method == "POST" else ProviderForm.for_provider(provider)
    if form.validate_on_submit():
        result = service.update_provider(provider, form.details(), g.school, current_user)
        if result.ok:
            _tell_others(provider, "Its details were edited.")
            flash(f"{provider.name} is saved.", "success")
            return redirect(url_for("providers.show", provider_id=provider.id))
        form.add_errors(result.errors)
    return render_template("providers/form.html", form=form, provider=provider)


@bp.route("/<int:provider_id>/sites/new", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def new_site(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = SiteForm()
    if form.validate_on_submit():
        service.add_site(provider, form.name.data, form.address.data, form.postcode.data)
        flash(f"The site {form.name.data} is added.", "success")
        return redirect(url_for("providers.show", provider_id=provider.id))
    return render_template("providers/site.html", form=form, provider=provider)


@bp.route("/sites/<int:site_id>/remove", methods=["POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def remove_site(site_id: int):
    site = service.access_site(site_id)
    if (refused := _refused(site.provider)) is not None:
        return refused
    if RemoveForm().validate_on_submit():
        service.archive_record(site, current_user)
        _tell_others(site.provider, f"The site {site.name} was removed.")
        flash(f"The site {site.name} is removed.", "success")
    return redirect(url_for("providers.show", provider_id=site.provider_id))


@bp.route("/<int:provider_id>/contacts/new", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def new_contact(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = ContactForm()
    if form.validate_on_submit():
        service.add_contact(provider, form.name.data, form.role.data, form.email.data, form.phone.data)
        flash(f"{form.name.data} is added as a contact.", "success")
        return redirect(url_for("providers.show", provider_id=provider.id))
    return render_template("providers/contact.html", form=form, provider=provider)


@bp.route("/contacts/<int:contact_id>/remove", methods=["POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def remove_contact(contact_id: int):
    contact = service.access_contact(contact_id)
    if (refused := _refused(contact.provider)) is not None:
        return refused
    if RemoveForm().validate_on_submit():
        service.archive_record(contact, current_user)
        _tell_others(contact.provider, f"The contact {contact.name} was removed.")
        flash(f"{contact.name} is removed.", "success")
    return redirect(url_for("providers.show", provider_id=contact.provider_id))


@bp.route("/<int:provider_id>/material-change", methods=["GET", "POST"])
@school_permission(Permission.PROVIDERS_EDIT)
def material_change(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = MaterialChangeForm()
    if form.validate_on_submit():
        result = service.record_material_change(provider, form.note.data, g.school, current_user)
        if result.ok:
            flash(f"The material change is recorded: {provider.name} needs a new risk assessment.", "success")
            return redirect(url_for("providers.show", provider_id=provider.id))
        form.add_errors(result.errors)
    return render_template("providers/material_change.html", form=form, provider=provider)


@bp.route("/<int:provider_id>/suspend", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_SUSPEND)
def suspend(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = SuspendForm()
    if form.validate_on_submit():
        result = service.suspend_provider(provider, current_user, form.reason.data, school=g.school)
        if result.ok:
            flash(f"{provider.name} is suspended; {len(result.schools_told)} school(s) with active placements "
                  "were told.", "success")
            return redirect(url_for("providers.show", provider_id=provider.id))
        form.add_errors(result.errors)
    return render_template("providers/suspend.html", form=form, provider=provider,
                           cancel=url_for("providers.show", provider_id=provider.id),
                           consequences=consequences.of_suspending(provider))


@bp.route("/<int:provider_id>/lift-suspension", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_SUSPEND)
def lift_suspension(provider_id: int):
    provider = service.access_provider(provider_id)
    if (refused := _refused(provider)) is not None:
        return refused
    form = LiftSuspensionForm()
    if form.validate_on_submit():
        result = service.lift_suspension(provider, current_user, form.reason.data, school=g.school)
        if result.ok:
            flash(_lifted_message(provider, result), "success")
            return redirect(url_for("providers.show", provider_id=provider.id))
        form.add_errors(result.errors)
    return render_template("providers/lift_suspension.html", form=form, provider=provider,
                           cancel=url_for("providers.show", provider_id=provider.id))


def _lifted_message(provider, result) -> str:
    status = service.provider_status(provider)
    after = ("It can take new placements again." if status.allows_new_placements
             else "It still cannot take new placements: " + " ".join(status.blocking_reasons))
    return (f"The suspension of {provider.name} is lifted; {len(result.schools_told)} school(s) with planned or "
            f"active placements were told. {after}")


@bp.route("/concerns/<int:concern_id>/resolve", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_CONCERN_RESOLVE)
def resolve_concern(concern_id: int):
    concern = service.access_concern_raised_by(concern_id, g.school.id)
    form = ResolveConcernForm()
    if form.validate_on_submit():
        result = service.resolve_concern(concern, current_user, form.resolution.data, school=g.school)
        if result.ok:
            flash("The concern is resolved; the schools told of it and the trust safeguarding lead are told.",
                  "success")
            return redirect(url_for("providers.show", provider_id=concern.provider_id, _anchor="concerns"))
        form.add_errors(result.errors)
    return render_template("providers/resolve_concern.html", form=form, concern=concern, provider=concern.provider,
                           cancel=url_for("providers.show", provider_id=concern.provider_id, _anchor="concerns"),
                           school_name=g.school.name)


@bp.route("/<int:provider_id>/concerns/new", methods=["GET", "POST"])
@school_permission(Permission.PROVIDER_CONCERN_RAISE)
def new_concern(provider_id: int):
    provider = service.access_provider(provider_id)
    form = ConcernForm()
    if form.validate_on_submit():
        result = service.raise_concern(provider, g.school, current_user, form.category.data,
                                       ConcernSeverity(form.severity.data), form.details.data)
        if result.ok:
            flash("The concern is recorded; the DSL has a task and the trust safeguarding lead is told.", "success")
            return redirect(url_for("providers.show", provider_id=provider.id, _anchor="concerns"))
        form.add_errors(result.errors)
    return render_template("providers/concern.html", form=form, provider=provider)


# --- the trust's pages ---------------------------------------------------------------------------------------


@trust_bp.route("/registration")
@trust_permission(Permission.TRUST_VIEW)
def registration():
    rows = trust_registration_report(current_user)
    return render_template("trust/registration.html", rows=rows, today=clock.today())


@trust_bp.route("/concerns")
@trust_permission(Permission.TRUST_VIEW)
def concerns():
    with trust_scope(current_user.id, "provider concerns raised by every school"):
        items = service.concerns_across_trust()
        schools = service.school_names([c.made_by_school_id for c in items])
        people = service.user_names([c.resolved_by_id for c in items])
        suspended = service.suspended_providers()
    return render_template("providers/trust_concerns.html", concerns=items, schools=schools, people=people,
                           suspended=suspended, concern_categories=service.CONCERN_CATEGORIES,
                           can_suspend=has_trust_permission(current_user, Permission.TRUST_PROVIDER_SUSPEND),
                           can_resolve=has_trust_permission(current_user,
                                                            Permission.TRUST_PROVIDER_CONCERN_RESOLVE))


@trust_bp.route("/concerns/<int:concern_id>/resolve", methods=["GET", "POST"])
@trust_permission(Permission.TRUST_PROVIDER_CONCERN_RESOLVE)
def trust_resolve_concern(concern_id: int):
    concern = service.access_concern_for_trust(concern_id)
    form = ResolveConcernForm()
    if form.validate_on_submit():
        result = service.resolve_concern(concern, current_user, form.resolution.data)
        if result.ok:
            flash("The concern is resolved; the schools told of it are told.", "success")
            return redirect(url_for("trust_providers.concerns"))
        form.add_errors(result.errors)
    return render_template("providers/resolve_concern.html", form=form, concern=concern, provider=concern.provider,
                           cancel=url_for("trust_providers.concerns"),
                           school_name=service.school_names([concern.made_by_school_id]).get(concern.made_by_school_id),
                           concern_categories=service.CONCERN_CATEGORIES)


@trust_bp.route("/<int:provider_id>/lift-suspension", methods=["GET", "POST"])
@trust_permission(Permission.TRUST_PROVIDER_SUSPEND)
def trust_lift_suspension(provider_id: int):
    provider = service.access_provider_for_trust(provider_id)
    form = LiftSuspensionForm()
    if form.validate_on_submit():
        result = service.lift_suspension(provider, current_user, form.reason.data)
        if result.ok:
            flash(_lifted_message(provider, result), "success")
            return redirect(url_for("trust_providers.concerns"))
        form.add_errors(result.errors)
    return render_template("providers/lift_suspension.html", form=form, provider=provider,
                           cancel=url_for("trust_providers.concerns"))


@trust_bp.route("/<int:provider_id>/suspend", methods=["GET", "POST"])
@trust_permission(Permission.TRUST_PROVIDER_SUSPEND)
def trust_suspend(provider_id: int):
    provider = service.access_provider_for_trust(provider_id)
    form = SuspendForm()
    if form.validate_on_submit():
        result = service.suspend_provider(provider, current_user, form.reason.data)
        if result.ok:
            flash(f"{provider.name} is suspended; {len(result.schools_told)} school(s) with active placements "
                  "were told.", "success")
            return redirect(url_for("trust_providers.concerns"))
        form.add_errors(result.errors)
    return render_template("providers/suspend.html", form=form, provider=provider,
                           cancel=url_for("trust_providers.concerns"),
                           consequences=consequences.of_suspending(provider))
