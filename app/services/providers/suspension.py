"""Who uses a provider, and suspending a provider or lifting its suspension."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.audit import record_event
from app.extensions import db
from app.models import AuditEvent, Placement, PlacementStatus, Provider, ProviderCheck, School, Task, TaskStatus, User
from app.roles import SchoolRoleName
from app.services import webhooks
from app.services.notifications import queue_for_users
from app.services.tasks import TaskKind, _external_url, complete_tasks_for, ensure_task, school_role_holders
from app.state_changes import still
from tenants import school_scope, system_scope

from .base import SUBJECT, Result
from .status import provider_status

# --- who uses a provider -------------------------------------------------------------------------------------


def _schools_with_placements(provider_id: int, statuses) -> dict[int, int]:
    """{school id: number of placements in these statuses} — across schools, so in a system scope, by columns."""
    with system_scope("provider register: which schools have placements at a provider"):
        return dict(db.session.execute(
            select(Placement.school_id, func.count(Placement.id))
            .where(Placement.provider_id == provider_id, Placement.status.in_(list(statuses)),
                   Placement.archived_at.is_(None))
            .group_by(Placement.school_id)).all())


def school_uses_provider(provider_id: int, school_id: int) -> bool:
    """A school uses a provider when it has a planned or active placement there, or has checked it."""
    if school_id in _schools_with_placements(provider_id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)):
        return True
    return db.session.scalar(select(ProviderCheck.id).where(
        ProviderCheck.provider_id == provider_id, ProviderCheck.made_by_school_id == school_id).limit(1)) is not None


# --- suspension ----------------------------------------------------------------------------------------------


def suspend_provider(provider: Provider, user: User, reason: str, school: School | None = None) -> Result:
    """Suspend a provider: no new placements; every school with an ACTIVE placement there is told at once — an
    urgent email to its AP leader(s) and DSL(s), and a task for its AP leader to review those placements.
    `school` is the acting school (None for a trust role). Commits."""
    if not (reason or "").strip():
        return Result(errors={"reason": "Say why the provider is suspended."})
    if provider.is_suspended or not still(Provider, provider.id, Provider.suspended_at.is_(None)):
        db.session.rollback()
        return Result(errors={"reason": "This provider is already suspended."})
    provider.suspended_at = clock.now()
    provider.suspended_by_id = user.id
    provider.suspension_reason = reason.strip()
    db.session.flush()
    active = _schools_with_placements(provider.id, (PlacementStatus.ACTIVE,))
    stamp = provider.suspended_at.strftime("%Y%m%dT%H%M%S")
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    for school_id, count in sorted(active.items()):
        with school_scope(school_id):
            context = {"provider_name": provider.name, "reason": provider.suspension_reason, "by": by,
                       "active_placements": count, "link": _provider_url(school_id, provider.id)}
            people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"provider-suspended:{provider.id}:{stamp}:school:{school_id}",
                            template="provider_suspended", context=context, urgent=True, about_type=SUBJECT,
                            about_id=provider.id, about_label=provider.name[:200], school_id=school_id)
            ensure_task(TaskKind.PROVIDER_SUSPENDED, f"provider-suspended:{provider.id}:{stamp}",
                        f"{provider.name} is suspended: review the {count} active placement"
                        f"{'s' if count != 1 else ''} there", clock.now() + timedelta(hours=4),
                        assigned_role=SchoolRoleName.AP_LEADER, subject=(SUBJECT, provider.id),
                        link=("providers.show", {"provider_id": provider.id}),
                        detail=f"Reason: {provider.suspension_reason}")
            db.session.flush()  # inside this school's scope: its rows are written as its own
    webhooks.provider_suspended(provider, sorted(active))
    db.session.commit()
    return Result(record=provider, schools_told=sorted(active))


LIFT_REASON_MAX = 500  # kept in the audit trail's detail column


def lift_suspension(provider: Provider, user: User, reason: str | None, school: School | None = None) -> Result:
    """Lift a provider's suspension (a trust role, or an AP leader with the suspend permission). The provider
    takes new placements again only if its vetting still holds: provider_status decides, as for any provider.
    Every school with a planned or active placement there is told (AP leader(s) and DSL(s)); the suspension tasks
    about it are completed in every school that has one. The reason is kept in the audit trail (see
    suspension_history). `school` is the acting school (None for a trust role). Commits."""
    reason = (reason or "").strip()
    if not provider.is_suspended:
        return Result(errors={"reason": "This provider is not suspended."})
    if not reason:
        return Result(errors={"reason": "Say why the suspension is lifted."})
    if len(reason) > LIFT_REASON_MAX:
        return Result(errors={"reason": f"Keep the reason to {LIFT_REASON_MAX} characters or fewer."})
    if not still(Provider, provider.id, Provider.suspended_at == provider.suspended_at):
        db.session.rollback()  # lifted (or lifted and suspended again) by someone else a moment ago
        return Result(errors={"reason": "This suspension has just been lifted by someone else."})
    stamp = provider.suspended_at.strftime("%Y%m%dT%H%M%S")  # names the suspension being lifted
    provider.suspended_at = None
    provider.suspended_by_id = None
    provider.suspension_reason = None
    record_event(db.session, "suspension_lifted", "Provider", provider.id, detail=reason, actor_id=user.id)
    db.session.flush()
    status = provider_status(provider)
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    with system_scope("provider register: which schools have a suspension task about a provider"):
        with_tasks = set(db.session.scalars(select(Task.school_id).where(
            Task.kind == TaskKind.PROVIDER_SUSPENDED.value, Task.status == TaskStatus.OPEN,
            Task.subject_type == SUBJECT, Task.subject_id == provider.id)))
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    for school_id in sorted(set(using) | with_tasks):
        with school_scope(school_id):
            if school_id in using:
                people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                          + school_role_holders(school_id, SchoolRoleName.DSL))
                key = f"provider-suspension-lifted:{provider.id}:{stamp}:school:{school_id}"
                queue_for_users(people, dedupe_key=key,
                                template="provider_suspension_lifted",
                                context={"provider_name": provider.name, "reason": reason, "by": by,
                                         "placements": using[school_id],
                                         "takes_placements": status.allows_new_placements,
                                         "blocking_reasons": status.blocking_reasons,
                                         "link": _provider_url(school_id, provider.id)},
                                about_type=SUBJECT, about_id=provider.id, about_label=provider.name[:200],
                                school_id=school_id)
            complete_tasks_for(SUBJECT, provider.id, [TaskKind.PROVIDER_SUSPENDED], user)
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=provider, schools_told=sorted(using))


@dataclass(frozen=True)
class SuspensionEvent:
    at: dt.datetime
    lifted: bool  # False: suspended
    by_id: int | None
    reason: str | None


def suspension_history(provider: Provider) -> list[SuspensionEvent]:
    """Every suspension of the provider and every lifting, newest first, read from the audit trail: a suspension
    from the changes to the provider's row (one change may be written in more than one flush, so they are read in
    order and merged), a lifting from its own event, which holds the reason."""
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "Provider", AuditEvent.record_id == str(provider.id),
        AuditEvent.action.in_(("create", "update", "suspension_lifted")))
        .order_by(AuditEvent.at, AuditEvent.id))
    history: list[dict] = []
    for row in rows:
        after = row.after or {}
        if row.action == "suspension_lifted":
            history.append({"at": row.at, "lifted": True, "by_id": row.actor_id, "reason": row.detail})
        elif after.get("suspended_at"):
            history.append({"at": row.at, "lifted": False, "by_id": after.get("suspended_by_id") or row.actor_id,
                            "reason": after.get("suspension_reason")})
        elif history and not history[-1]["lifted"] and "suspended_at" not in after:
            # the rest of the same suspension, written by a later flush
            if after.get("suspended_by_id"):
                history[-1]["by_id"] = after["suspended_by_id"]
            if after.get("suspension_reason"):
                history[-1]["reason"] = after["suspension_reason"]
    return [SuspensionEvent(**event) for event in reversed(history)]


def suspended_providers() -> list[Provider]:
    return list(db.session.scalars(select(Provider).where(
        Provider.suspended_at.is_not(None), Provider.archived_at.is_(None)).order_by(Provider.name)))


def _provider_url(school_id: int, provider_id: int) -> str:
    slug = db.session.scalar(select(School.slug).where(School.id == school_id))
    return _external_url("providers.show", {"school_slug": slug, "provider_id": provider_id})
