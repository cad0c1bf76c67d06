"""Concerns about a provider: raising, who sees them, resolving, the trust's list."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import literal, select

from app import clock
from app.extensions import db
from app.models import (
    Audience,
    ConcernSeverity,
    ConcernStatus,
    Notification,
    PlacementStatus,
    Provider,
    ProviderConcern,
    School,
    User,
)
from app.roles import SchoolRoleName, TrustRoleName
from app.services.notifications import queue_for_users
from app.services.tasks import (
    END_OF_SCHOOL_DAY,
    TaskKind,
    _external_url,
    complete_tasks_for,
    ensure_task,
    school_role_holders,
    trust_role_holders,
)
from app.state_changes import still
from tenants import school_scope, system_scope
from tenants.access import RecordNotFound

from .base import CONCERN_SUBJECT, Result
from .register import access_provider
from .suspension import _provider_url, _schools_with_placements, school_uses_provider

# --- concerns ------------------------------------------------------------------------------------------------

CONCERN_CATEGORIES = {
    "safeguarding": "Safeguarding",
    "attendance": "Attendance",
    "quality_of_education": "Quality of education",
    "health_and_safety": "Health and safety",
    "behaviour": "Behaviour",
    "communication": "Communication",
    "other": "Other",
}
_URGENT_SEVERITIES = (ConcernSeverity.HIGH, ConcernSeverity.CRITICAL)


def raise_concern(provider: Provider, school: School, user: User, category: str | None,
                  severity: ConcernSeverity | None, details: str | None) -> Result:
    """A concern about a provider (issue 4, item 6). It is seen by every school using the provider and by the
    trust. Tasks are a school's own, so: the raising school's DSL gets the task to follow it up; the trust
    safeguarding lead(s) are emailed (and see it on /trust/providers/concerns); the AP leaders and DSLs of the
    other schools using the provider are emailed. High and critical concerns go at once. Commits."""
    errors = {}
    if category not in CONCERN_CATEGORIES:
        errors["category"] = "Choose what the concern is about."
    if severity is None:
        errors["severity"] = "Choose how serious the concern is."
    if not (details or "").strip():
        errors["details"] = "Describe the concern."
    if errors:
        return Result(errors=errors)
    concern = ProviderConcern(provider_id=provider.id, made_by_school_id=school.id, raised_by_id=user.id,
                              category=category, severity=severity, details=details.strip(),
                              status=ConcernStatus.OPEN)
    db.session.add(concern)
    db.session.flush()
    urgent = severity in _URGENT_SEVERITIES
    label = CONCERN_CATEGORIES[category]
    context = {"provider_name": provider.name, "category": label, "severity": severity.value,
               "details": concern.details, "school_name": school.name, "raised_by": user.full_name}
    ensure_task(TaskKind.PROVIDER_CONCERN, f"provider-concern:{concern.id}",
                f"Follow up the {severity.value} {label.lower()} concern about {provider.name}",
                clock.local_datetime(clock.today() + timedelta(days=1 if urgent else 5), END_OF_SCHOOL_DAY),
                assigned_role=SchoolRoleName.DSL, subject=(CONCERN_SUBJECT, concern.id),
                link=("providers.show", {"provider_id": provider.id}), urgent=urgent, detail=concern.details[:500])

    queue_for_users(trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD),
                    dedupe_key=f"provider-concern:{concern.id}:trust", template="provider_concern",
                    context={**context, "link": _external_url("trust_providers.concerns", {})},
                    audience=Audience.TRUST, urgent=urgent, about_type="provider_concern", about_id=concern.id,
                    about_label=provider.name[:200], school_id=school.id)
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    for other_id in sorted(set(using) - {school.id}):
        with school_scope(other_id):
            people = (school_role_holders(other_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(other_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"provider-concern:{concern.id}:school:{other_id}",
                            template="provider_concern",
                            context={**context, "link": _provider_url(other_id, provider.id)}, urgent=urgent,
                            about_type="provider_concern", about_id=concern.id, about_label=provider.name[:200],
                            school_id=other_id)
            db.session.flush()
    db.session.commit()
    return Result(record=concern, schools_told=sorted(set(using) - {school.id}))


def concerns_visible_to(provider: Provider, school_id: int, uses: bool | None = None) -> list[ProviderConcern]:
    """The concerns a school sees: its own, and every school's when it uses the provider (`uses`, when the caller
    has asked `school_uses_provider` already)."""
    query = select(ProviderConcern).where(ProviderConcern.provider_id == provider.id,
                                          ProviderConcern.archived_at.is_(None))
    if not (school_uses_provider(provider.id, school_id) if uses is None else uses):
        query = query.where(ProviderConcern.made_by_school_id == school_id)
    return list(db.session.scalars(query.order_by(ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def access_concern_raised_by(concern_id: int, school_id: int) -> ProviderConcern:
    """A concern the school raised, or 404: only the raising school resolves a concern from its pages (another
    school using the provider sees it, but the follow-up is the raiser's or the trust's)."""
    concern = db.session.get(ProviderConcern, concern_id)
    if concern is None or concern.archived_at is not None or concern.made_by_school_id != school_id:
        raise RecordNotFound("concern")
    access_provider(concern.provider_id)
    return concern


def access_concern_for_trust(concern_id: int) -> ProviderConcern:
    concern = db.session.get(ProviderConcern, concern_id)
    if concern is None or concern.archived_at is not None:
        raise RecordNotFound("concern")
    return concern


def resolve_concern(concern: ProviderConcern, user: User, resolution: str | None,
                    school: School | None = None) -> Result:
    """Record how a concern was resolved (the raising school's AP leader or DSL, or the trust safeguarding lead):
    it stays on the provider's page as resolved, with who and when. Everyone told of it is told it is resolved:
    the raising school's AP leader(s) and DSL(s), each school emailed when it was raised and the trust
    safeguarding lead(s) — not the person resolving it. The raising school's follow-up task is completed.
    `school` is the acting school (None for a trust role). Commits."""
    resolution = (resolution or "").strip()
    if concern.status == ConcernStatus.RESOLVED:
        return Result(errors={"resolution": "This concern is already resolved."})
    if not resolution:
        return Result(errors={"resolution": "Say how the concern was resolved."})
    if not still(ProviderConcern, concern.id, ProviderConcern.status == ConcernStatus.OPEN):
        db.session.rollback()  # resolved by someone else a moment ago: one resolution, one email, one audit row
        return Result(errors={"resolution": "This concern is already resolved."})
    concern.status = ConcernStatus.RESOLVED
    concern.resolution = resolution
    concern.resolved_at = clock.now()
    concern.resolved_by_id = user.id
    db.session.flush()
    provider = concern.provider
    raiser = concern.made_by_school_id
    with system_scope("provider register: which schools were told of a concern"):
        told = db.session.execute(select(Notification.school_id, Notification.audience).where(
            Notification.about_type == CONCERN_SUBJECT, Notification.about_id == concern.id,
            Notification.template == "provider_concern")).all()
    schools = {raiser} | {sid for sid, audience in told if sid is not None and audience == Audience.STAFF}
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    context = {"provider_name": provider.name,
               "category": CONCERN_CATEGORIES.get(concern.category, concern.category),
               "severity": concern.severity.value,
               "raised_on": clock.to_local(concern.created_at).strftime("%-d %B %Y"),
               "school_name": school_names([raiser]).get(raiser, ""), "resolution": resolution, "by": by}
    key = f"provider-concern-resolved:{concern.id}"

    for school_id in sorted(schools):
        with school_scope(school_id):
            people = [u for u in school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL) if u.id != user.id]
            queue_for_users(people, dedupe_key=key, template="provider_concern_resolved",
                            context={**context, "link": _provider_url(school_id, provider.id) + "#concerns"},
                            about_type=CONCERN_SUBJECT, about_id=concern.id, about_label=provider.name[:200],
                            school_id=school_id)
            if school_id == raiser:
                queue_for_users([u for u in trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD)
                                 if u.id != user.id], dedupe_key=key, template="provider_concern_resolved",
                                context={**context, "link": _external_url("trust_providers.concerns", {})},
                                audience=Audience.TRUST, about_type=CONCERN_SUBJECT, about_id=concern.id,
                                about_label=provider.name[:200], school_id=raiser)
                complete_tasks_for(CONCERN_SUBJECT, concern.id, [TaskKind.PROVIDER_CONCERN], user)
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=concern, schools_told=sorted(schools))


def concerns_across_trust() -> list[ProviderConcern]:
    """Every concern about any provider, open ones first (newest first), then resolved ones (most recently
    resolved first): resolved concerns stay as history."""
    return list(db.session.scalars(select(ProviderConcern).where(ProviderConcern.archived_at.is_(None))
        .order_by((ProviderConcern.status == ConcernStatus.RESOLVED), ProviderConcern.resolved_at.desc(),
                  ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def open_concerns_across_trust() -> list[ProviderConcern]:
    """Every open concern about any provider (a trust scope, or the trust pages)."""
    return list(db.session.scalars(select(ProviderConcern).where(
        ProviderConcern.status == ConcernStatus.OPEN, ProviderConcern.archived_at.is_(None))
        .order_by(ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def school_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(School.id, School.name).where(School.id.in_(ids))).all())


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def school_and_user_names(school_ids, user_ids) -> tuple[dict[int, str], dict[int, str]]:
    """`school_names` and `user_names` in one query (a page naming both: the provider's)."""
    school_ids, user_ids = {i for i in school_ids if i is not None}, {i for i in user_ids if i is not None}
    if not school_ids or not user_ids:
        return school_names(school_ids), user_names(user_ids)
    found: tuple[dict[int, str], dict[int, str]] = ({}, {})
    for is_user, id_, name in db.session.execute(
            select(literal(False), School.id, School.name).where(School.id.in_(school_ids))
            .union_all(select(literal(True), User.id, User.full_name).where(User.id.in_(user_ids)))):
        found[bool(is_user)][id_] = name
    return found
