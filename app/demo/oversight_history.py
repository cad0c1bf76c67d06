"""Demo records for the census and for the report's part-time and flexi sections (issue 16): the providers' census
identifiers (one left out, so the census page shows an item to fix), and in each of the two terms before today a
short part-time timetable that returned to full time, plus a refused flexi-schooling request, so the report, the
trust report and the dashboard's trends compare them with earlier terms on first run. Every name is invented.

Kept apart from app/demo/oversight.py (and relative to the terms before today, whatever today is) so it merges
cleanly with the demo's other changes.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.demo.oversight import _terms_before
from app.demo.pupils import demo_upn
from app.extensions import db
from app.models import Carer, Provider, Pupil, SchoolRole
from app.models.flexi_schooling import FlexiRequest, FlexiRequestStatus
from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview
from app.policy.part_time_timetables import ReviewDecision, TimetableStatus
from app.roles import SchoolRoleName

# Census identifiers of the demo register (app.policy.census_codes): URN where it has one (already recorded),
# else an invented UKPRN, else the AP setting type. Kestrel Motor Skills is left without, on purpose.
CENSUS_ITEMS = {
    "Hawthorn Farm Learning": {"ap_setting_type": "OTH"},
    "Brightpath Online Tutoring": {"ap_setting_type": "OOT"},
    "Riverside Outdoor Centre": {"ukprn": "19999101"},
}

# (first name, last name, year group) of the pupils with a past part-time timetable: invented.
PART_TIME_PUPILS = (("Ottilie", "Brackenbury", 7), ("Jasper", "Quennell", 8))


def _role_holder(school_id: int, role: SchoolRoleName) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school_id,
                                                              SchoolRole.role == role).limit(1))


def _census_items() -> None:
    for provider in db.session.scalars(select(Provider).where(Provider.name.in_(list(CENSUS_ITEMS)))):
        for name, value in CENSUS_ITEMS[provider.name].items():
            setattr(provider, name, value)


HISTORY_SERIALS = 100  # UPN serials kept for each school's history pupils (app.demo.pupils.demo_upn)


def _serial(school, n: int) -> int:
    """The UPN serial of the school's nth history pupil: a range of its own, clear of the other demo pupils."""
    return 800_000 + school.id * HISTORY_SERIALS + n


def _past_timetable(school, n: int, first: dt.date, staff: int, head: int) -> None:
    """A four-week part-time timetable that returned to full time (9.5-9.7), reviewed after two weeks."""
    given, family, year = PART_TIME_PUPILS[n % len(PART_TIME_PUPILS)]
    pupil = Pupil(school_id=school.id, upn=demo_upn(_serial(school, n)), first_name=given, last_name=family,
                  date_of_birth=dt.date(2026 - 5 - year, 6, 2), year_group=year)
    db.session.add(pupil)
    db.session.flush()
    carer = Carer(school_id=school.id, pupil_id=pupil.id, name=f"Sam {family}", relationship_to_pupil="Parent",
                  email=f"{family.lower()}.family@example.org")
    db.session.add(carer)
    db.session.flush()
    start, end = first + dt.timedelta(days=14), first + dt.timedelta(days=42)
    timetable = PartTimeTimetable(
        school_id=school.id, pupil_id=pupil.id, status=TimetableStatus.ENDED, reason_category="reintegration",
        reason_details="Building back up to full days after a long absence.",
        support_plan="Reintegration plan with the pastoral lead.", start_date=start, end_date=end,
        original_end_date=end, review_dates=[(start + dt.timedelta(days=14)).isoformat()], proposed_by_id=staff,
        proposed_at=clock.local_datetime(start - dt.timedelta(days=7), dt.time(10)), agreed_by_carer_id=carer.id,
        agreed_by_name=carer.name, agreed_on=start - dt.timedelta(days=5), agreed_how="meeting",
        agreement_recorded_by_id=staff, approved_by_id=head,
        approved_at=clock.local_datetime(start - dt.timedelta(days=4), dt.time(15)), ended_on=end,
        end_note="Back to full days", ended_by_id=staff)
    db.session.add(timetable)
    db.session.flush()
    db.session.add(PartTimeTimetableReview(
        school_id=school.id, timetable_id=timetable.id, held_on=start + dt.timedelta(days=14),
        pupil_views="Mornings are going well", parent_views="Happy with the pace",
        decision=ReviewDecision.RETURN_TO_FULL_TIME, recorded_by_id=staff))


def _refused_flexi_request(school, first: dt.date, head: int) -> None:
    ours = [demo_upn(_serial(school, n)) for n in range(HISTORY_SERIALS)]
    pupil = db.session.scalar(select(Pupil).where(Pupil.school_id == school.id, Pupil.upn.in_(ours))
                              .order_by(Pupil.id).limit(1))
    if pupil is None:
        return
    received = first + dt.timedelta(days=21)
    db.session.add(FlexiRequest(
        school_id=school.id, pupil_id=pupil.id, academic_year=received.year if received.month >= 9
        else received.year - 1, received_on=received, requested_by=f"Sam {pupil.last_name}",
        request_summary="Fridays at home for music tuition", proposed_home_sessions=["fri_am", "fri_pm"],
        meeting_offered_on=received + dt.timedelta(days=3), meeting_held_on=received + dt.timedelta(days=8),
        status=FlexiRequestStatus.REFUSED, recorded_by_id=head, decided_on=received + dt.timedelta(days=12),
        decided_by_id=head, decision_reasons="Fridays carry the pupil's practical science; not in their interests."))


def seed_oversight_history(trust) -> None:
    """A seeder (app.demo.seeders), after seed_oversight: it reads the terms before today that seed made."""
    _census_items()
    today = clock.today()
    n = 0
    for school in trust.schools:
        if school.slug not in ("millbrook", "hollin"):
            continue
        staff = _role_holder(school.id, SchoolRoleName.AP_LEADER)
        head = _role_holder(school.id, SchoolRoleName.HEADTEACHER)
        if staff is None or head is None:
            continue
        terms = _terms_before(school.id, today)
        for first, _, _ in terms:
            n += 1
            _past_timetable(school, n, first, staff, head)
        db.session.flush()
        if school.slug == "hollin" and terms:
            _refused_flexi_request(school, terms[-1][0], head)
