"""Demo history for oversight (issue 16): two terms of past placements with their attendance, welfare checks,
reviews and costs in two schools, so the trust dashboard's trends and the headteacher's report show something on
first run; last term's report presented to governors with their note and sent to the trust; a complaint; the
policy's adoption and each school's monitoring. Every name is invented.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app import clock
from app.demo.placements import school_day_from
from app.demo.pupils import born_in, demo_upn
from app.extensions import db
from app.models import (
    HalfTerm,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    Pupil,
    School,
    SchoolRole,
    Task,
    Term,
    TrustRole,
)
from app.models.attendance import AttendanceSession, WelfareCheck, WelfareCheckMethod, WelfareCheckOutcome
from app.models.monitoring import PlacementReview
from app.models.oversight import (
    Complaint,
    ComplaintStep,
    GovernorsNote,
    HeadteacherReport,
    PolicyMonitoring,
    PolicyReview,
)
from app.models.placements import CostUnit, SessionOfDay
from app.policy.attendance import Outcome, WelfareCheckReason
from app.roles import SchoolRoleName, TrustRoleName
from app.school_calendar import ONE_DAY, SchoolCalendar
from app.services.calendar import calendar_for_school

# (first name, last name, year group, destination at the end): invented.
HISTORY_PUPILS = (
    ("Tobin", "Ravensworth", 9, "Returned to full-time lessons at school"),
    ("Elsie", "Marchbank", 10, "Continuing at the provider into next term"),
    ("Caspian", "Holloway", 8, "Returned to school with a reduced timetable"),
    ("Wren", "Fairbairn", 11, "College place agreed for September"),
)
CODES = ("B", "B", "B", "O", "B", "L", "B", "B", "I", "B")  # present, absent, late, ill: a plausible pattern
# What was reported for each code, as a confirmation records it (a confirmed session always has its outcome).
OUTCOME_OF = {"B": Outcome.ATTENDED, "L": Outcome.LATE, "O": Outcome.ABSENT, "I": Outcome.ABSENT}


def _terms_before(school_id: int, today: dt.date, n: int = 2) -> list[tuple[dt.date, dt.date, str]]:
    rows = db.session.execute(select(HalfTerm.academic_year, HalfTerm.term, HalfTerm.first_day, HalfTerm.last_day)
                              .where(HalfTerm.school_id == school_id).order_by(HalfTerm.first_day)).all()
    terms: dict[tuple[int, str], list] = {}
    for year, term, first, last in rows:
        terms.setdefault((year, Term(term).value), []).append((first, last))
    ended = sorted(((min(f for f, _ in v), max(ll for _, ll in v), f"{k[1].title()} term {k[0]}-{str(k[0] + 1)[2:]}")
                    for k, v in terms.items()), key=lambda t: t[0])
    return [t for t in ended if t[1] < today][-n:]


def _role_holder(school_id: int, role: SchoolRoleName) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school_id,
                                                              SchoolRole.role == role).limit(1))


def _history_placement(school: School, provider: Provider, leader_id: int, pupil_info, start: dt.date,
                       end: dt.date, n: int, not_located: bool, calendar: SchoolCalendar) -> None:
    """An ended placement of an earlier term: it starts and ends on school days, has sessions only on school
    days, and its welfare check and review fall on school days (issue 14 item 9)."""
    first, last, year, destination = pupil_info
    start, end = school_day_from(calendar, start), school_day_from(calendar, end, -ONE_DAY)
    pupil = Pupil(school_id=school.id, upn=demo_upn(1000 * school.id + n), first_name=first, last_name=last,
                  date_of_birth=born_in(year, 3, 14), year_group=year)
    db.session.add(pupil)
    db.session.flush()
    placement = Placement(school_id=school.id, pupil_id=pupil.id, provider_id=provider.id, start_date=start,
                          ended_on=end, status=PlacementStatus.ENDED, end_destination=destination,
                          end_progress="Steady progress against the agreed aims",
                          end_pupil_assessment="Felt listened to; liked the smaller groups")
    db.session.add(placement)
    db.session.flush()
    db.session.add(PlacementAgreement(school_id=school.id, placement_id=placement.id, cost_amount=Decimal("45.00"),
                                      cost_unit=CostUnit.SESSION, aims_and_outcomes="Re-engage with learning"))
    day, i = start, 0
    while day <= end:
        if day.weekday() in (1, 3) and calendar.is_school_day(day):  # Tuesday and Thursday mornings
            at = clock.local_datetime(day, dt.time(9, 20))
            db.session.add(AttendanceSession(
                school_id=school.id, placement_id=placement.id, pupil_id=pupil.id, provider_id=provider.id, day=day,
                session=SessionOfDay.AM, starts_at=dt.time(9), ends_at=dt.time(12),
                cutoff_at=clock.local_datetime(day, dt.time(9, 30)), register_code=CODES[i % len(CODES)],
                outcome=OUTCOME_OF[CODES[i % len(CODES)]], confirmed_at=at))
            i += 1
        day += dt.timedelta(days=1)
    checked = clock.local_datetime(school_day_from(calendar, start + dt.timedelta(days=9)), dt.time(11, 10))
    db.session.add(WelfareCheck(
        school_id=school.id, pupil_id=pupil.id, raised_at=checked - dt.timedelta(minutes=40),
        reason=WelfareCheckReason.ABSENT_WITHOUT_REASON,
        method=WelfareCheckMethod.HOME_VISIT if not_located else WelfareCheckMethod.CALL,
        outcome=WelfareCheckOutcome.SEEN_AND_SAFE, checked_at=checked, recorded_at=checked,
        notes=("Not located at first; found safe at a relative's house that afternoon" if not_located
               else "Spoke to a parent: unwell, back tomorrow"),
        missing_procedure_started_at=checked - dt.timedelta(minutes=5) if not_located else None,
        trust_told_at=checked - dt.timedelta(minutes=4) if not_located else None, recorded_by_id=leader_id))
    held = school_day_from(calendar, start + dt.timedelta(days=28))
    due = clock.local_datetime(held, dt.time(17))
    db.session.add(Task(school_id=school.id, kind="half_termly_review", title="Half-termly review (history)",
                        dedupe_key=f"demo-history-review:{placement.id}", due_at=due, status="done",
                        completed_at=due - dt.timedelta(hours=3 if n % 2 else -30)))  # one of each late
    db.session.add(PlacementReview(school_id=school.id, placement_id=placement.id, pupil_id=pupil.id, held_on=held,
                                   progress_against_aims="Settling well", pupil_views="Enjoys the practical work",
                                   parents_views="Pleased with the change", recorded_by_id=leader_id))


def _school_history(school, slug: str, providers, today: dt.date, n: int) -> int:
    """A school's past terms (placements and their sessions), its last report presented to governors, its
    policy monitoring and, at Millbrook, an open complaint. Returns the count of history pupils used so far."""
    leader = _role_holder(school.id, SchoolRoleName.AP_LEADER)
    head = _role_holder(school.id, SchoolRoleName.HEADTEACHER)
    governor = _role_holder(school.id, SchoolRoleName.DESIGNATED_GOVERNOR)
    terms, calendar = _terms_before(school.id, today), calendar_for_school(school.id)
    for t, (first, last, _) in enumerate(terms):
        for k in range(2):
            n += 1
            info = HISTORY_PUPILS[(n - 1) % len(HISTORY_PUPILS)]
            _history_placement(school, providers[k % len(providers)], leader, info,
                               first + dt.timedelta(days=7 + 7 * k), last - dt.timedelta(days=5), n,
                               not_located=(slug == "millbrook" and t == len(terms) - 1 and k == 0),
                               calendar=calendar)
    if terms and head:
        first, last, label = terms[-1]
        report = HeadteacherReport(school_id=school.id, label=label, first_day=first, last_day=last,
                                   created_by_id=head, presented_on=min(today, last + dt.timedelta(days=20)),
                                   presented_meeting="Full governing body",
                                   presented_recorded_by_id=head, sent_to_trust_at=clock.now(),
                                   sent_to_trust_by_id=head)
        db.session.add(report)
        db.session.flush()
        if governor:
            db.session.add(GovernorsNote(school_id=school.id, report_id=report.id,
                                         questions="Why was one review late, and what has changed since?",
                                         actions="The AP leader to report on review timeliness next term",
                                         recorded_by_id=governor))
    if head:
        db.session.add(PolicyMonitoring(school_id=school.id, monitored_on=today - dt.timedelta(days=14),
                                        findings="Placements reviewed on time; cost per session in line",
                                        actions="Check the QA visit calendar with the AP leader",
                                        recorded_by_id=head))
    if slug == "millbrook" and head:
        _open_complaint(school, head, today)
    return n


def _open_complaint(school, head: int, today: dt.date) -> None:
    received = today - dt.timedelta(days=10)
    complaint = Complaint(school_id=school.id, raised_by="Dana Whitcombe", raised_by_relationship="Parent",
                          about="Was not told in good time about the change of provider sessions",
                          received_on=received, stage="informal", stage_started_on=received
                          + dt.timedelta(days=2), stage_due_on=received + dt.timedelta(days=16),
                          recorded_by_id=head)
    db.session.add(complaint)
    db.session.flush()
    db.session.add_all([
        ComplaintStep(school_id=school.id, complaint_id=complaint.id, stage="received", started_on=received,
                      due_on=received + dt.timedelta(days=7), finished_on=received + dt.timedelta(days=2),
                      recorded_by_id=head),
        ComplaintStep(school_id=school.id, complaint_id=complaint.id, stage="informal",
                      started_on=received + dt.timedelta(days=2), due_on=received + dt.timedelta(days=16),
                      note="Meeting with the AP leader offered", recorded_by_id=head)])


def seed_oversight(trust) -> None:
    """Called last by the demo seed, inside its system scope."""
    today = clock.today()
    schools = {s.slug: s for s in trust.schools}
    providers = list(db.session.scalars(select(Provider).where(Provider.owning_school_id.is_(None),
                                                               Provider.suspended_at.is_(None))
                                        .order_by(Provider.id).limit(2)))
    if not providers:
        return
    n = 0
    for slug in ("millbrook", "hollin"):
        school = schools.get(slug)
        if school is None:
            continue
        n = _school_history(school, slug, providers, today, n)

    trustee = db.session.scalar(select(TrustRole.user_id).where(
        TrustRole.role == TrustRoleName.DESIGNATED_TRUSTEE).limit(1))
    if trustee is None:
        return
    db.session.add(PolicyReview(trust_id=trust.id, adopted_on=today - dt.timedelta(days=400),
                                next_review_on=today - dt.timedelta(days=400) + dt.timedelta(days=730),
                                recorded_by_id=trustee))
