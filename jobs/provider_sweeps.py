"""The provider vetting sweep (policy 7.9): checks expire 12 months after approval, or at a material change.

For each school, in its scope, the providers it relies on — where it has a planned or active placement, or whose
risk assessment its AP leader approved — are looked at once a day:

- vetting expiring (inside the reminder window): a PROVIDER_CHECK_EXPIRING task for the AP leader, due on the
  last vetted day (its creation emails them; the task machinery reminds and escalates);
- expired, or lapsed by a material change: where the school has an ACTIVE placement there, an urgent task;
- vetted again (a new risk assessment approved by any school): the school's open renewal tasks are closed.

Idempotent: every task carries a dedupe key naming the provider and the vetting it is about.
"""
from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, ProviderRiskAssessment
from app.policy.provider_vetting import VettingStatus
from app.services.providers import SUBJECT, statuses_for
from app.services.registration_verdicts import refresh_stale_verdicts
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_tasks_for, ensure_task
from jobs.context import in_system
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school
from tenants import require_school_id

FUNC = f"{__name__}.provider_vetting_expiry"


def renewal_work_for_school(today) -> dict[str, int]:
    """The sweep's work for the current school (inside its scope). Returns counts by what was done."""
    school_id = require_school_id()
    placements = dict(db.session.execute(
        select(Placement.provider_id, Placement.status)
        .where(Placement.status.in_([PlacementStatus.PLANNED, PlacementStatus.ACTIVE]),
               Placement.archived_at.is_(None))).all())
    active = {pid for pid, status in db.session.execute(
        select(Placement.provider_id, Placement.status).where(
            Placement.status == PlacementStatus.ACTIVE, Placement.archived_at.is_(None)))}
    approved_here = set(db.session.scalars(select(ProviderRiskAssessment.provider_id).where(
        ProviderRiskAssessment.made_by_school_id == school_id, ProviderRiskAssessment.approved_at.is_not(None),
        ProviderRiskAssessment.archived_at.is_(None))))
    ids = set(placements) | approved_here
    providers = list(db.session.scalars(select(Provider).where(Provider.id.in_(ids), Provider.archived_at.is_(None))))
    counts = {"expiring": 0, "expired": 0, "closed": 0}
    for provider, status in ((p, s) for p in providers for s in [statuses_for([p], today)[p.id]]):
        link = ("providers.show", {"provider_id": provider.id})
        if status.vetting is VettingStatus.EXPIRING:
            _, made = ensure_task(
                TaskKind.PROVIDER_CHECK_EXPIRING, f"provider-expiring:{provider.id}:{status.vetted_until}",
                f"Renew the pre-placement checks for {provider.name}: vetted until "
                f"{status.vetted_until:%-d %B %Y}", clock.local_datetime(status.vetted_until, END_OF_SCHOOL_DAY),
                subject=(SUBJECT, provider.id), link=link)
            counts["expiring"] += made
        elif status.vetting in (VettingStatus.EXPIRED, VettingStatus.LAPSED_MATERIAL_CHANGE) and provider.id in active:
            why = ("its vetting has expired" if status.vetting is VettingStatus.EXPIRED
                   else "a material change was recorded")
            stamp = status.vetted_until if status.vetting is VettingStatus.EXPIRED else \
                clock.to_local(provider.material_change_at).date()
            _, made = ensure_task(
                TaskKind.PROVIDER_CHECK_EXPIRING, f"provider-{status.vetting.value}:{provider.id}:{stamp}",
                f"{provider.name}: {why}. Renew the checks for your active placements there (no new placements)",
                clock.now(), subject=(SUBJECT, provider.id), link=link, urgent=True)
            counts["expired"] += made
        elif status.vetting is VettingStatus.VETTED:
            counts["closed"] += complete_tasks_for(SUBJECT, provider.id, [TaskKind.PROVIDER_CHECK_EXPIRING], None)
    return counts


def provider_vetting_expiry() -> SweepReport:
    """Remind before a provider's vetting expires; once expired, a task for each school with a pupil there."""
    return for_each_school("provider-vetting", job_for_func(FUNC).days,
                           lambda calendar, today: renewal_work_for_school(today))


def registration_verdicts() -> dict[str, int]:
    """Recount each unregistered provider's 7.2 verdict for the day: pupils' ages are judged on the day counted,
    and a pupil reaching or passing compulsory school age changes no record. Across the trust by design."""
    with in_system("registration rule 7.2: the morning's recount of every provider's verdict"):
        recounted = refresh_stale_verdicts()
        db.session.commit()
    return {"recounted": recounted}
