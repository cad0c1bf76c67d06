"""A provider's status and badges: approval, vetting expiry, registration (7.2), suspension, open concerns."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import ConcernStatus, Provider, ProviderConcern, ProviderRiskAssessment
from app.policy.provider_vetting import VettingStatus, vetted_until, vetting_status
from app.policy.registration import RegistrationAssessment
from app.services.registration import stored_assessments

from .base import reminder_window

# --- status and badges ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str  # good, warn, bad, neutral: the CSS class


@dataclass(frozen=True)
class ProviderStatus:
    vetting: VettingStatus
    approved_at: dt.datetime | None
    vetted_until: dt.date | None
    suspended: bool
    registration: RegistrationAssessment | None  # None: registered, the rule does not apply
    open_concerns: int

    @property
    def registration_risk(self) -> bool:
        return self.registration is not None and self.registration.at_or_near_threshold

    @property
    def must_be_reported(self) -> bool:
        return self.registration is not None and self.registration.must_report

    @property
    def allows_new_placements(self) -> bool:
        """7.2, 7.8, 7.9: vetted (or expiring), not suspended, not a provider that should be registered."""
        return self.vetting.allows_new_placements and not self.suspended and not self.must_be_reported

    @property
    def blocking_reasons(self) -> list[str]:
        """Why a new placement cannot be made here, in words for the placement page."""
        reasons = []
        if self.suspended:
            reasons.append("The provider is suspended.")
        elif not self.vetting.allows_new_placements:
            reasons.append({
                VettingStatus.NOT_VETTED: "The provider has no approved risk assessment (7.8).",
                VettingStatus.EXPIRED: "The provider's vetting has expired: renew the checks (7.9).",
                VettingStatus.LAPSED_MATERIAL_CHANGE: "A material change was recorded: a new risk assessment is "
                                                      "needed (7.9).",
            }.get(self.vetting, self.vetting.label))
        if self.must_be_reported:
            reasons.append("The provider should be registered as an independent school and is not (7.2).")
        return reasons

    @property
    def badges(self) -> list[Badge]:
        tone = {VettingStatus.VETTED: "good", VettingStatus.EXPIRING: "warn", VettingStatus.NOT_VETTED: "neutral"}
        badges = [Badge(self.vetting.label, tone.get(self.vetting, "bad"))]
        if self.must_be_reported:
            badges.append(Badge("Registration risk: to be reported", "bad"))
        elif self.registration_risk:
            badges.append(Badge("Registration risk: near the threshold", "warn"))
        if self.open_concerns:
            badges.append(Badge(f"{self.open_concerns} open concern{'s' if self.open_concerns != 1 else ''}", "warn"))
        return badges


def _latest_approvals(provider_ids: Sequence[int] | None) -> dict[int, dt.datetime]:
    """Each provider's latest approved risk assessment: of these providers, or of every provider (None)."""
    if provider_ids is not None and not provider_ids:
        return {}
    query = (select(ProviderRiskAssessment.provider_id, func.max(ProviderRiskAssessment.approved_at))
             .where(ProviderRiskAssessment.archived_at.is_(None), ProviderRiskAssessment.approved_at.is_not(None))
             .group_by(ProviderRiskAssessment.provider_id))
    if provider_ids is not None:
        query = query.where(ProviderRiskAssessment.provider_id.in_(provider_ids))
    return dict(db.session.execute(query).all())


def _open_concern_counts(provider_ids: Sequence[int]) -> dict[int, int]:
    if not provider_ids:
        return {}
    return dict(db.session.execute(
        select(ProviderConcern.provider_id, func.count(ProviderConcern.id))
        .where(ProviderConcern.provider_id.in_(provider_ids), ProviderConcern.status == ConcernStatus.OPEN,
               ProviderConcern.archived_at.is_(None))
        .group_by(ProviderConcern.provider_id)).all())


def _as_aware(instant: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back what was stored; the UTCDateTime type makes it aware, but a max() aggregate is raw.
    if instant is None or isinstance(instant, dt.datetime) and instant.tzinfo is not None:
        return instant
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant)
    return instant.replace(tzinfo=dt.UTC)


def _status(provider: Provider, approved_at, registration, open_concerns, today) -> ProviderStatus:
    approved_at = _as_aware(approved_at)
    return ProviderStatus(
        vetting=vetting_status(approved_at, provider.material_change_at, provider.suspended_at, today,
                               reminder_window()),
        approved_at=approved_at, vetted_until=vetted_until(approved_at) if approved_at else None,
        suspended=provider.is_suspended, registration=registration, open_concerns=open_concerns)


def provider_status(provider: Provider, today: dt.date | None = None, *,
                    assessments: Sequence[ProviderRiskAssessment] | None = None,
                    every_concern: Sequence[ProviderConcern] | None = None) -> ProviderStatus:
    """Where the provider stands today: vetting (7.8, 7.9), suspension, the registration verdict across the trust
    (7.2; counts only, never other schools' pupils) and open concerns. The placement readiness gate asks
    `.allows_new_placements` and shows `.blocking_reasons`. A page that has already read the provider's risk
    assessments, or every school's concerns about it (none archived), passes them: they are not read again."""
    today = today or clock.today()
    if assessments is None and every_concern is None:
        return statuses_for([provider], today)[provider.id]
    approved_at = _latest_approvals([provider.id]).get(provider.id) if assessments is None else \
        max((a.approved_at for a in assessments if a.approved_at is not None), default=None)
    open_concerns = _open_concern_counts([provider.id]).get(provider.id, 0) if every_concern is None else \
        sum(1 for c in every_concern if c.status == ConcernStatus.OPEN)
    return _status(provider, approved_at, stored_assessments([provider], today).get(provider.id), open_concerns,
                   today)


def statuses_for(providers: Sequence[Provider], today: dt.date | None = None) -> dict[int, ProviderStatus]:
    """provider_status for many providers in a handful of queries (the register's list)."""
    today = today or clock.today()
    ids = [p.id for p in providers]
    approvals = _latest_approvals(ids)
    concerns = _open_concern_counts(ids)
    registration = stored_assessments(providers, today)  # 7.2: stored as placements change, not recounted here
    return {p.id: _status(p, approvals.get(p.id), registration.get(p.id), concerns.get(p.id, 0), today)
            for p in providers}
