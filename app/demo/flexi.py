"""Demo flexi-schooling (section 10): at Millbrook Academy, a parent's written request, the headteacher's approval
and letter, and an agreement running through the current school year (Fridays at home, register code C), with
its LA notice and a termly review for each term already ended. Fictional text only; dates relative to today."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app import clock
from app.demo.calendars import demo_school_years
from app.extensions import db
from app.models import (
    Carer,
    FlexiAgreement,
    FlexiRequest,
    FlexiRequestStatus,
    FlexiReview,
    FlexiReviewOutcome,
    Pupil,
    School,
    SchoolRole,
)
from app.policy.flexi_schooling import termly_reviews
from app.roles import SchoolRoleName
from app.school_calendar import academic_year_bounds, academic_year_of
from app.services.calendar import calendar_for_schools
from app.services.flexi_notices import MissingLAContact, notify_la_of_agreement

log = logging.getLogger(__name__)
SCHOOL_SLUG, PUPIL_FIRST_NAME = "millbrook", "Ruby"
HOME = ["fri_am", "fri_pm"]  # Fridays at home


def _holder(school_id: int, role: SchoolRoleName) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school_id,
                                                              SchoolRole.role == role).limit(1))


def seed_flexi(trust) -> None:
    """Called inside the demo seed's system scope, after the calendars and pupils."""
    school = db.session.scalar(select(School).where(School.trust_id == trust.id, School.slug == SCHOOL_SLUG))
    pupil = school and db.session.scalar(select(Pupil).where(Pupil.school_id == school.id,
                                                            Pupil.first_name == PUPIL_FIRST_NAME))
    head = school and _holder(school.id, SchoolRoleName.HEADTEACHER)
    leader = school and _holder(school.id, SchoolRoleName.AP_LEADER)
    if not (pupil and head and leader):
        log.warning("demo flexi-schooling skipped: no Millbrook pupil %s, headteacher or AP leader", PUPIL_FIRST_NAME)
        return
    today = clock.today()
    calendar = calendar_for_schools([school.id])[school.id]
    # The school year the demo is in (in the summer holiday, the one just ended): nothing decided after today.
    year_start, year_end = academic_year_bounds(demo_school_years(today)[0])
    start = next(calendar.school_days_between(year_start, year_end), year_start + dt.timedelta(days=31))
    received = start - dt.timedelta(days=28)
    carer = db.session.scalar(select(Carer).where(Carer.pupil_id == pupil.id).limit(1))
    parent = carer.name if carer else "Ruby's parent"
    request = FlexiRequest(
        school_id=school.id, pupil_id=pupil.id, academic_year=academic_year_of(received), received_on=received,
        requested_by=parent, request_summary=("Ruby to spend Fridays at home: a weekly forest school and a music "
                                              "lesson, with maths practice set by the school."),
        proposed_home_sessions=HOME, meeting_offered_on=received + dt.timedelta(days=2),
        meeting_held_on=received + dt.timedelta(days=7), meeting_note="Met the parent and the head of year.",
        status=FlexiRequestStatus.APPROVED, recorded_by_id=leader, decided_on=received + dt.timedelta(days=9),
        decided_by_id=head, decision_reasons=("Ruby is making good progress; the home plan covers English and maths "
                                              "and her attendance on the other four days has been strong."),
        letter_sent_on=received + dt.timedelta(days=10), letter_sent_by_id=head)
    db.session.add(request)
    db.session.flush()
    agreement = FlexiAgreement(
        school_id=school.id, request_id=request.id, pupil_id=pupil.id, start_date=start, home_sessions=HOME,
        pupil_needs="Year 8; anxious in large groups; reading age above her years.",
        rationale="A shorter week in school has kept her attending; Fridays at home build confidence outdoors.",
        home_education_provision="Forest school on Friday mornings; music and maths practice in the afternoon.",
        section_7_how_met=("A weekly plan agreed with the form tutor, work samples each half-term, and maths set by "
                           "the school: efficient, full-time and suited to her age, ability and aptitude."),
        welfare_responsible_at_home=parent, school_curriculum="The full Year 8 timetable Monday to Thursday.",
        school_assessments="Termly assessments in English, maths and science at school.",
        school_send_provision=None, agreed_on=received + dt.timedelta(days=12), agreed_by_id=leader)
    db.session.add(agreement)
    db.session.flush()
    for term in termly_reviews(calendar, start, None, today - dt.timedelta(days=1)):
        db.session.add(FlexiReview(
            school_id=school.id, agreement_id=agreement.id, pupil_id=pupil.id, term_key=term.key,
            held_on=term.due_on - dt.timedelta(days=4), progress="Settled and attending well; home work completed.",
            pupil_views="Likes Fridays outdoors.", parents_views="Happy; would like the maths set a week ahead.",
            outcome=FlexiReviewOutcome.CONTINUE, recorded_by_id=head))
    try:
        notify_la_of_agreement(agreement, "start")  # 10.7, through the outbox
    except MissingLAContact as exc:
        log.warning("demo flexi-schooling: the LA notice was not queued: %s", exc)
