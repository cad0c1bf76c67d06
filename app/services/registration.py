"""The registration rule (policy 7.2) across the whole trust.

No school can see another school's placements, yet the rule counts every full-time pupil a provider educates for
the trust. So the counting happens here, in two ways:

- `trust_registration_report(actor)`: for trust roles, in an audited trust scope — every unregistered provider
  with its verdict and counts, those at or near the threshold first.
- `placement_would_breach(...)`: for a placement being saved or started, in a system scope named for it — it
  returns only the verdict and counts (`RegistrationAssessment`), never another school's pupils.

Both gather the facts in one query (Placement ⨝ WeeklySession ⨝ Pupil ⨝ Provider, columns only, so no other
school's record enters the session) and hand them to app.policy.registration.

The verdicts the register shows are stored on each provider (app.services.registration_verdicts keeps them as the
facts change): `stored_assessments` reads them, and the report reads them too, counting only a verdict not
counted today.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, Pupil, RegistrationStatus, WeeklySession
from app.permissions import may_read_across_schools
from app.policy.registration import (
    PupilAtProvider,
    RegistrationAssessment,
    assessment_of_counts,
    registration_assessment,
    rule_applies,
)
from app.policy.school_age import is_compulsory_school_age
from tenants import system_scope, trust_scope

# A pupil is counted while a placement is being commissioned and while it runs ("current and planned").
COUNTED_STATUSES = (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)


def _hours(starts_at: dt.time, ends_at: dt.time) -> float:
    return max(0, (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)) / 60


@dataclass
class _PupilFacts:
    date_of_birth: dt.date
    has_ehcp: bool
    is_looked_after: bool
    sen_support: bool
    counted_from: dt.date  # the day their age is judged on: today, or a planned placement's start
    hours: float = 0.0

    def at_provider(self) -> PupilAtProvider:
        return PupilAtProvider(
            compulsory_school_age=is_compulsory_school_age(self.date_of_birth, self.counted_from),
            weekly_hours=self.hours, has_ehcp=self.has_ehcp, is_looked_after=self.is_looked_after,
            has_sen=self.has_ehcp or self.sen_support)


def _pupils_by_provider(provider_ids: Iterable[int] | None, today: dt.date,
                        exclude_placement_id: int | None = None) -> dict[int, dict[int, _PupilFacts]]:
    """{provider id: {pupil id: facts}} for unregistered providers; hours summed over each pupil's counted
    placements there, from the weekly pattern. Needs a trust or system scope (it spans schools)."""
    query = (
        select(Placement.provider_id, Placement.start_date, Pupil.id, Pupil.date_of_birth,
               Pupil.has_ehcp, Pupil.is_looked_after, Pupil.sen_support, WeeklySession.starts_at,
               WeeklySession.ends_at)
        .join(Pupil, Pupil.id == Placement.pupil_id)
        .join(Provider, Provider.id == Placement.provider_id)
        .outerjoin(WeeklySession, WeeklySession.placement_id == Placement.id)
        .where(Provider.registration_status == RegistrationStatus.UNREGISTERED, Provider.archived_at.is_(None),
               Placement.status.in_(COUNTED_STATUSES), Placement.archived_at.is_(None))
    )
    if provider_ids is not None:
        query = query.where(Placement.provider_id.in_(list(provider_ids)))
    if exclude_placement_id is not None:
        query = query.where(Placement.id != exclude_placement_id)
    return pupils_from_rows(db.session.execute(query), today)


def pupils_from_rows(rows, today: dt.date) -> dict[int, dict[int, _PupilFacts]]:
    """The facts of each provider's pupils from rows of (provider id, placement start, pupil id, date of birth,
    EHCP, looked after, SEN support, session start, session end): one row per weekly session of each counted
    placement (None times for a placement with no pattern). Also read by migration 0018's backfill."""
    found: dict[int, dict[int, _PupilFacts]] = defaultdict(dict)
    for (provider_id, start_date, pupil_id, dob, ehcp, looked_after, sen, starts_at, ends_at) in rows:
        facts = found[provider_id].get(pupil_id)
        if facts is None:
            facts = found[provider_id][pupil_id] = _PupilFacts(dob, bool(ehcp), bool(looked_after), bool(sen),
                                                               max(today, start_date))
        if starts_at is not None and ends_at is not None:
            facts.hours += _hours(starts_at, ends_at)
    return found


def assessments_of(pupils: dict[int, dict[int, _PupilFacts]], provider_ids: Iterable[int]
                   ) -> dict[int, RegistrationAssessment]:
    """The 7.2 verdict of each of these providers from its pupils' facts (none: a verdict of no pupils)."""
    return {pid: registration_assessment([p.at_provider() for p in pupils.get(pid, {}).values()])
            for pid in provider_ids}


def registration_assessments(provider_ids: Iterable[int], today: dt.date | None = None,
                             reason: str = "registration rule 7.2: verdicts for the provider register"
                             ) -> dict[int, RegistrationAssessment]:
    """The verdict for each of these providers that the rule applies to (unregistered ones), counted across the
    trust in a system scope. Only verdicts and counts leave this function."""
    ids = list(provider_ids)
    if not ids:
        return {}
    today = today or clock.today()
    with system_scope(reason):
        unregistered = list(db.session.scalars(select(Provider.id).where(
            Provider.id.in_(ids), Provider.registration_status == RegistrationStatus.UNREGISTERED)))
        pupils = _pupils_by_provider(unregistered, today)
    return assessments_of(pupils, unregistered)


def stored_assessments(providers: Sequence[Provider], today: dt.date) -> dict[int, RegistrationAssessment]:
    """The 7.2 verdict of each of these providers the rule applies to: the stored one where it was counted on
    `today`, else counted now (read-only; the morning sweep or the next change stores it)."""
    unregistered = [p for p in providers if rule_applies(p.registration_status)]
    found = {p.id: assessment_of_counts(p.registration_full_time_count, p.registration_one_pupil_count)
             for p in unregistered if p.registration_counted_on == today
             and p.registration_full_time_count is not None and p.registration_one_pupil_count is not None}
    missing = [p.id for p in unregistered if p.id not in found]
    return {**found, **registration_assessments(missing, today)} if missing else found


def placement_would_breach(provider_id: int, pupil, weekly_hours: float,
                           exclude_placement_id: int | None = None,
                           on_date: dt.date | None = None) -> RegistrationAssessment | None:
    """Policy 7.2, for a placement being saved or started: the provider's verdict with this pupil's `weekly_hours`
    there added (to any other placement the pupil already has there). None when the provider is registered
    (the rule does not apply). `exclude_placement_id`: the placement being edited, so it is not counted twice.
    Check `.must_report`: when true the placement must not be saved or started."""
    today = clock.today()
    facts = _PupilFacts(pupil.date_of_birth, bool(pupil.has_ehcp), bool(pupil.is_looked_after),
                        bool(getattr(pupil, "sen_support", False)), max(today, on_date or today), float(weekly_hours))
    pupil_id = pupil.id
    with system_scope("registration rule 7.2: a placement being saved, counted across the trust"):
        status = db.session.scalar(select(Provider.registration_status).where(Provider.id == provider_id))
        if status is None or not rule_applies(status):
            return None
        others = _pupils_by_provider([provider_id], today, exclude_placement_id).get(provider_id, {})
    if pupil_id is not None and pupil_id in others:
        facts.hours += others.pop(pupil_id).hours
    return registration_assessment([p.at_provider() for p in others.values()] + [facts.at_provider()])


@dataclass(frozen=True)
class RegistrationRow:
    provider_id: int
    provider_name: str
    kind: str
    assessment: RegistrationAssessment


def trust_registration_report(actor, near_only: bool = False) -> list[RegistrationRow]:
    """Policy 7.2 across the trust, for trust roles only (an audited cross-school read): every unregistered
    provider with its full-time count and verdict, those to be reported first, then those near the threshold.
    Raises PermissionError for anyone without a trust role that sees the trust."""
    if not may_read_across_schools(actor):
        raise PermissionError("only trust roles see the registration report")
    today = clock.today()
    with trust_scope(actor.id, "provider registration report (policy 7.2): every school's placements"):
        providers = list(db.session.scalars(
            select(Provider)
            .where(Provider.registration_status == RegistrationStatus.UNREGISTERED, Provider.archived_at.is_(None))
            .order_by(Provider.name)))
        verdicts = stored_assessments(providers, today)
    rows = [RegistrationRow(p.id, p.name, str(p.kind), verdicts[p.id]) for p in providers]
    if near_only:
        rows = [r for r in rows if r.assessment.at_or_near_threshold]
    return sorted(rows, key=lambda r: (not r.assessment.must_report, not r.assessment.at_or_near_threshold,
                                       -r.assessment.full_time_count, r.provider_name))
