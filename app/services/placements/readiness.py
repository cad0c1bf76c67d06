"""The facts the readiness gate needs (app.policy.placement_readiness decides)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Involvement, ParentConsultation, Placement, ProviderKind, PupilRiskAssessment, Referral
from app.policy import off_site_direction as direction_rules
from app.policy import pre_placement
from app.policy.placement_readiness import (
    AGREEMENT_FIELDS,
    AgreementFacts,
    DirectionFacts,
    Missing,
    PlacementFacts,
    readiness,
)
from app.school_calendar import SchoolCalendar
from app.services.calendar import calendar_for_school
from app.services.providers import provider_status
from app.services.registration import placement_would_breach

from .commissioning import weekly_hours

# --- the readiness gate ----------------------------------------------------------------------------------------


def _calendar() -> SchoolCalendar:
    return calendar_for_school()


def registration_breach(placement: Placement) -> bool:
    """7.2, across the whole trust: would this placement make its provider one that must be registered?"""
    assessment = placement_would_breach(placement.provider_id, placement.pupil, weekly_hours(placement),
                                        exclude_placement_id=placement.id)
    return bool(assessment is not None and assessment.must_report)


def placement_facts(placement: Placement, today: dt.date | None = None,
                    calendar: SchoolCalendar | None = None) -> PlacementFacts:
    """Everything the readiness gate needs, read from the school's records."""
    today = today or clock.today()
    pupil, provider = placement.pupil, placement.provider
    vetting = provider_status(provider, today).vetting
    referral = db.session.scalars(select(Referral).where(Referral.pupil_id == pupil.id,
                                                         Referral.archived_at.is_(None))
                                  .order_by(Referral.proposed_on.desc(), Referral.id.desc()).limit(1)).first()
    assessments = db.session.scalars(select(PupilRiskAssessment).where(PupilRiskAssessment.pupil_id == pupil.id,
                                                                       PupilRiskAssessment.archived_at.is_(None)))
    consultations = db.session.scalars(select(ParentConsultation).where(
        ParentConsultation.pupil_id == pupil.id, ParentConsultation.archived_at.is_(None),
        (ParentConsultation.placement_id == placement.id) | ParentConsultation.placement_id.is_(None)))
    involvements = db.session.scalars(select(Involvement).where(Involvement.pupil_id == pupil.id,
                                                                Involvement.archived_at.is_(None)))
    agreement = placement.agreement
    direction = placement.off_site_direction
    direction_facts = None
    if direction is not None:
        direction_facts = DirectionFacts(
            governing_body_approved_on=direction.governing_body_approved_on, review_on=direction.review_on,
            ends_by=direction.ends_by, parents_letter_sent_on=direction.parents_letter_sent_on,
            latest_letter_date=direction_rules.latest_letter_date(placement.start_date, calendar or _calendar()))
    return PlacementFacts(
        placement_id=placement.id, pupil_id=pupil.id, provider_id=provider.id, start_date=placement.start_date,
        today=today, provider_kind=ProviderKind(provider.kind).value,
        provider_vetting=vetting.value if vetting is not None else None,
        provider_suspended=provider.is_suspended,
        registration_breach=registration_breach(placement),
        online_justification=placement.online_justification,
        needs_analysis_missing=pre_placement.needs_analysis_missing(referral),
        risk_assessment_missing=pre_placement.risk_assessment_missing(
            pre_placement.latest_assessment(assessments), placement.start_date),
        parent_consultation_missing=pre_placement.parent_consultation_missing(consultations),
        involvement_missing=pre_placement.involvement_missing(pupil, involvements),
        pupil_has_sen=bool(pupil.has_ehcp or pupil.sen_support), pupil_fsm_eligible=pupil.fsm_eligible,
        pupil_year_group=pupil.year_group, key_information_shared_on=placement.key_information_shared_on,
        agreement=None if agreement is None else AgreementFacts(
            **{name: getattr(agreement, name) for name, _ in AGREEMENT_FIELDS}),
        weekly_session_count=len(placement.weekly_sessions),
        is_off_site_direction=placement.is_off_site_direction, direction=direction_facts,
    )


def placement_readiness(placement: Placement) -> list[Missing]:
    """What is still missing before the placement may start (empty: ready)."""
    return readiness(placement_facts(placement))
