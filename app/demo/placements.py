"""Demo placements, made from the demo pupils and providers (seeded before this): in the first school that has
them, an active placement (ready, started, the LA told), a planned one with a few things still missing, an
off-site direction with the governing body's approval and the parents' letter sent, and an ended one with a
destination. Dates follow the day the demo is seeded. Everything here is fictional.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    CostUnit,
    OffSiteDirection,
    ParentConsultation,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    ProviderKind,
    Pupil,
    PupilRiskAssessment,
    Referral,
    School,
    SchoolRole,
    SessionOfDay,
    WeeklySession,
)
from app.roles import SchoolRoleName
from app.services.placements import notify_la_of_placement

log = logging.getLogger(__name__)
DAY = dt.timedelta(days=1)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += DAY
    return day


def _agreement(placement: Placement, today: dt.date, complete: bool = True) -> PlacementAgreement:
    values = dict(aims_and_outcomes="Re-engage with learning; functional skills in English and maths",
                  curriculum_and_qualifications="Entry Level 3 maths and English; land-based skills award",
                  review_arrangements="Review meeting with the pupil, parents and the provider's key worker")
    if complete:
        values.update(personal_development="Weekly mentoring; teamwork on the farm",
                      careers_guidance="Two careers sessions a term with the school's adviser",
                      induction="Half-day visit with a parent before the start",
                      pastoral_arrangements="A named key worker; daily check-in",
                      attendance_arrangements="Provider confirms AM and PM attendance by 10:00 and 13:30",
                      safeguarding_arrangements="Provider DSL named; written confirmation of staff checks held",
                      communication_arrangements="Weekly email to the AP leader and parents",
                      free_school_meals_arrangements="Hot lunch at the provider, invoiced to the school",
                      exam_arrangements="The school enters the pupil for exams; the provider sends coursework",
                      cost_amount=Decimal("45.00"), cost_unit=CostUnit.SESSION, review_every_weeks=6,
                      qa_visit_every_weeks=6, agreed_on=today - 14 * DAY)
    return PlacementAgreement(school_id=placement.school_id, placement=placement, **values)


def _sessions(placement: Placement, weekdays=(0, 2)) -> None:
    for weekday in weekdays:
        db.session.add(WeeklySession(school_id=placement.school_id, placement=placement, weekday=weekday,
                                     session=SessionOfDay.AM, starts_at=dt.time(9, 0), ends_at=dt.time(12, 0)))


def _pre_placement(pupil: Pupil, leader_id: int, today: dt.date) -> None:
    """The records a placement needs first (4.3, 7.4), where the pupils' demo has not made them."""
    sid = pupil.school_id
    if db.session.scalar(select(Referral.id).where(Referral.pupil_id == pupil.id)) is None:
        db.session.add(Referral(school_id=sid, pupil_id=pupil.id, academic_needs="Working below expected in maths",
                                personal_needs="Low confidence; anxiety in large groups",
                                social_needs="Struggles with unstructured times", reasons=["mainstream_demands"],
                                options_considered="The school's own inclusion room first, then two providers",
                                proposed_by_id=leader_id, proposed_on=today - 40 * DAY))
    if db.session.scalar(select(PupilRiskAssessment.id).where(PupilRiskAssessment.pupil_id == pupil.id)) is None:
        db.session.add(PupilRiskAssessment(school_id=sid, pupil_id=pupil.id, assessed_on=today - 30 * DAY,
                                           assessed_by_id=leader_id, risks="Leaving site when anxious",
                                           control_measures="Met on arrival; a quiet space agreed",
                                           review_due_on=today + 60 * DAY))
    if db.session.scalar(select(ParentConsultation.id).where(ParentConsultation.pupil_id == pupil.id)) is None:
        db.session.add(ParentConsultation(school_id=sid, pupil_id=pupil.id, consulted_on=today - 25 * DAY,
                                          method="meeting", carer_views="Supportive of a part-week placement",
                                          school_decision="Commission two mornings a week",
                                          recorded_by_id=leader_id))


def _school_and_provider(trust):
    """(school, its pupils, its AP leader's id, an off-site provider) for the demo placements, or None.
    The school with the most pupils needing no LA / VSH involvement first: their placements can be made ready
    here; any other pupil of it makes up the numbers (its readiness list then shows the involvement to record)."""
    schools = db.session.scalars(select(School).where(School.trust_id == trust.id).order_by(School.id)).all()
    off_site = db.session.scalars(select(Provider).where(Provider.kind != ProviderKind.ON_SITE,
                                                        Provider.suspended_at.is_(None),
                                                        Provider.archived_at.is_(None)).order_by(Provider.id)).all()
    best = None
    for candidate in schools:
        rows = db.session.scalars(select(Pupil).where(Pupil.school_id == candidate.id).order_by(Pupil.id)).all()
        simple = [p for p in rows if not (p.has_ehcp or p.is_looked_after)]
        leader = db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == candidate.id,
                                                                    SchoolRole.role == SchoolRoleName.AP_LEADER))
        if leader and len(rows) >= 2 and (best is None or len(simple) > best[0]):
            best = (len(simple), candidate, simple + [p for p in rows if p not in simple], leader)
    if best is None or not off_site:
        return None
    _, school, pupils, leader_id = best
    return school, pupils, leader_id, off_site[0]


def seed_placements(trust) -> None:
    """Called last by app.demo_extensions, inside the demo seed's system scope."""
    today = clock.today()
    chosen = _school_and_provider(trust)
    if chosen is None:
        log.warning("demo placements skipped: no school has two demo pupils and an AP leader, or no provider")
        return
    school, pupils, leader_id, provider = chosen
    sid = school.id

    def placement(pupil, start, status, **extra) -> Placement:
        p = Placement(school_id=sid, pupil_id=pupil.id, provider_id=provider.id, start_date=start, status=status,
                      key_information_shared_on=start - 7 * DAY, key_information_shared_by_id=leader_id,
                      key_information_note="One-page profile, SEN support plan and medical notes sent", **extra)
        db.session.add(p)
        return p

    # 1. active: ready, started, the LA told (7.12)
    active_pupil, planned_pupil = pupils[0], pupils[1]
    _pre_placement(active_pupil, leader_id, today)
    active = placement(active_pupil, _weekday_on_or_after(today - 21 * DAY), PlacementStatus.ACTIVE,
                       planned_end_date=today + 90 * DAY, started_at=clock.now(), started_by_id=leader_id)
    db.session.add(_agreement(active, today))
    _sessions(active)
    db.session.flush()
    db.session.refresh(active)
    notify_la_of_placement(active)

    # 2. planned, with a few things missing: the agreement is half written, no weekly pattern yet
    planned = placement(planned_pupil, _weekday_on_or_after(today + 14 * DAY), PlacementStatus.PLANNED)
    planned.key_information_shared_on = None
    db.session.add(_agreement(planned, today, complete=False))

    # 3. an off-site direction: approved, letter sent today, starting a week from now
    if len(pupils) >= 3:
        directed_pupil = pupils[2]
        _pre_placement(directed_pupil, leader_id, today)
        start = _weekday_on_or_after(today + 7 * DAY)
        directed = placement(directed_pupil, start, PlacementStatus.PLANNED, is_off_site_direction=True,
                             planned_end_date=start + 42 * DAY)
        db.session.add(_agreement(directed, today))
        _sessions(directed, weekdays=(0, 1, 2))
        db.session.add(OffSiteDirection(
            school_id=sid, placement=directed, reasons_and_objectives="Persistent disruption in lessons despite "
            "a behaviour support plan; to re-engage with learning and return to full-time lessons",
            governing_body_approved_on=today - 3 * DAY, governing_body_approval_reference="Governors' AP committee, "
            "minute 4", approval_recorded_by_id=leader_id, review_on=start + 21 * DAY, ends_by=start + 42 * DAY,
            report_to="The farm's learning manager at the main gate", parents_letter_sent_on=today,
            parents_letter_recorded_by_id=leader_id))

    # 4. ended, with its outcome (8.7)
    ended = placement(planned_pupil, _weekday_on_or_after(today - 120 * DAY), PlacementStatus.ENDED,
                      planned_end_date=today - 14 * DAY, ended_on=today - 14 * DAY, ended_by_id=leader_id,
                      end_progress="Attendance rose from 62% to 91%", end_achievements="Entry Level 3 maths",
                      end_destination="Returned to full-time lessons at school",
                      end_pupil_assessment="I liked working outside and want to keep going with maths")
    db.session.add(_agreement(ended, today))
    _sessions(ended)
    db.session.flush()
