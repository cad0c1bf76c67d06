"""A placement that is ready to start, in school A of the test world, and the pieces to take it apart.

Time in these tests: Monday 9 March 2026 (school A's spring term); placements start Monday 16 March 2026.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from app.clock import now
from app.extensions import db
from app.models import (
    CostUnit,
    HalfTerm,
    ParentConsultation,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    ProviderCheck,
    ProviderKind,
    ProviderRiskAssessment,
    ProviderSite,
    Pupil,
    PupilRiskAssessment,
    Referral,
    RegistrationStatus,
    RiskRating,
    SessionOfDay,
    Term,
    WeeklySession,
)
from tenants import school_scope, system_scope
from tests.helpers import school_time

TODAY = "2026-03-09 10:00"
START = date(2026, 3, 16)
SPRING = [(2025, Term.SPRING, 1, date(2026, 1, 5), date(2026, 2, 13)),
          (2025, Term.SPRING, 2, date(2026, 2, 23), date(2026, 3, 27)),
          (2025, Term.SUMMER, 1, date(2026, 4, 13), date(2026, 5, 22)),
          (2025, Term.SUMMER, 2, date(2026, 6, 1), date(2026, 7, 17))]


@pytest.fixture
def frozen():
    with school_time(TODAY) as clock:
        yield clock


def enter_calendar(school_id: int) -> None:
    with school_scope(school_id):
        for year, term, part, first, last in SPRING:
            db.session.add(HalfTerm(school_id=school_id, academic_year=year, term=term, part=part, first_day=first,
                                    last_day=last))
        db.session.commit()


def vetted_provider(world, name="Meadow Farm Learning", kind=ProviderKind.OFF_SITE,
                    registration=RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL, approved=True) -> int:
    """A provider with an approved risk assessment (vetted for 12 months from a week ago)."""
    with system_scope("test: a vetted provider"):
        provider = Provider(name=name, kind=kind, registration_status=registration,
                            owning_school_id=world.a.id if kind == ProviderKind.ON_SITE else None)
        provider.sites = [ProviderSite(name="Main site", address="1 Meadow Lane, Testtown TT1 1AA")]
        db.session.add(provider)
        db.session.flush()
        if approved:
            check = ProviderCheck(provider_id=provider.id, made_by_school_id=world.a.id,
                                  started_by_id=world.users["a.ap_leader"].id)
            db.session.add(check)
            db.session.flush()
            db.session.add(ProviderRiskAssessment(provider_id=provider.id, check_id=check.id,
                                                  made_by_school_id=world.a.id, rating=RiskRating.LOW,
                                                  approved_by_id=world.users["a.ap_leader"].id,
                                                  approved_at=now() - timedelta(days=7)))
        db.session.commit()
        return provider.id


@dataclass
class Ready:
    placement_id: int
    pupil_id: int
    provider_id: int
    school_id: int


def make_ready_placement(world, school=None, *, first_name="Robin", ehcp=False, looked_after=False,
                         provider_id=None, directed=False, year_group=9, fsm=False) -> Ready:
    """A planned placement with everything the gate asks for (school A unless told otherwise). Call with the
    clock frozen on TODAY."""
    school = school or world.a
    key = "a" if school.id == world.a.id else "b"
    leader = world.users[f"{key}.ap_leader"]
    provider_id = provider_id or vetted_provider(world)
    with school_scope(school.id):
        pupil = Pupil(upn=f"A{abs(hash((first_name, school.id))) % 10**12:012d}", first_name=first_name,
                      last_name="Example", date_of_birth=date(2012, 5, 17), year_group=year_group, has_ehcp=ehcp,
                      is_looked_after=looked_after, has_social_worker=looked_after, fsm_eligible=fsm)
        db.session.add(pupil)
        db.session.flush()
        db.session.add_all([
            Referral(pupil_id=pupil.id, academic_needs="Behind in maths", personal_needs="Anxiety",
                     social_needs="Few friendships", reasons=["risk_of_permanent_exclusion"], options_considered="Hive first",
                     proposed_by_id=leader.id, proposed_on=date(2026, 2, 2)),
            PupilRiskAssessment(pupil_id=pupil.id, assessed_on=date(2026, 3, 2), assessed_by_id=leader.id,
                                risks="Absconding", control_measures="Met at the gate", review_due_on=date(2026, 5, 1)),
            ParentConsultation(pupil_id=pupil.id, consulted_on=date(2026, 3, 3), method="meeting",
                               carer_views="Supportive", school_decision="Go ahead", recorded_by_id=leader.id),
        ])
        placement = Placement(pupil_id=pupil.id, provider_id=provider_id, start_date=START,
                              planned_end_date=date(2026, 7, 17), status=PlacementStatus.PLANNED,
                              is_off_site_direction=directed, key_information_shared_on=date(2026, 3, 4),
                              key_information_note="One-page profile and SEN support plan sent",
                              key_information_shared_by_id=leader.id)
        db.session.add(placement)
        db.session.flush()
        db.session.add(PlacementAgreement(
            placement_id=placement.id, aims_and_outcomes="Re-engage", curriculum_and_qualifications="Functional skills",
            personal_development="Mentoring", careers_guidance="Two sessions", induction="Visit",
            pastoral_arrangements="Key worker", attendance_arrangements="Call by 10:00",
            safeguarding_arrangements="DSL named", communication_arrangements="Weekly email",
            exam_arrangements="Entered by the school" if year_group in (10, 11) else None,
            free_school_meals_arrangements="Hot lunch" if fsm else None,
            cost_amount=Decimal("40.00"), cost_unit=CostUnit.SESSION, review_arrangements="Meeting with family",
            review_every_weeks=6, agreed_on=date(2026, 3, 5)))
        for weekday in (0, 2):
            db.session.add(WeeklySession(placement_id=placement.id, weekday=weekday, session=SessionOfDay.AM,
                                         starts_at=time(9, 0), ends_at=time(12, 0)))
        db.session.commit()
        return Ready(placement.id, pupil.id, provider_id, school.id)


@pytest.fixture
def calendar_a(world):
    enter_calendar(world.a.id)
    enter_calendar(world.b.id)


@pytest.fixture
def ready(world, frozen, calendar_a):
    return make_ready_placement(world)
