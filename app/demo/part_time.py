"""Demo part-time timetable (issue 15; policy section 9): at Millbrook Academy, Ruby (fictional) recovering from a long
illness on an approved part-time timetable running through the current school year (relative to today): mornings
on site Monday to Thursday, afternoons and Fridays removed (C2), the parent's agreement and the headteacher's
approval recorded, reviews every two school weeks, C2 sessions on the last school days. Each LA's reporting
procedure (9.7) as data. Fictional records only."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app import clock
from app.demo.calendars import demo_school_years
from app.demo.placements import school_day_from
from app.extensions import db
from app.models import Carer, Pupil, School, SchoolRole, SessionOfDay
from app.models.part_time import LAReportingProcedure, PartTimeTimetable, PartTimeTimetableSession
from app.policy.part_time_timetables import Arrangement, TimetableStatus, default_review_dates
from app.roles import SchoolRoleName
from app.services.calendar import calendar_for_school
from app.services.part_time_register import ensure_part_time_sessions
from tenants import school_scope

log = logging.getLogger(__name__)

PAST_SCHOOL_DAYS = 15  # as the demo attendance: the last three school weeks have their C2 sessions
TIMES = {"am": (dt.time(8, 50), dt.time(12, 0)), "pm": (dt.time(13, 0), dt.time(15, 15))}


def _role_holder(school_id: int, role: SchoolRoleName) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school_id,
                                                              SchoolRole.role == role).limit(1))


def seed_part_time(trust) -> None:
    """Called after the demo attendance (inside the demo seed's system scope)."""
    for la_id in {s.local_authority_id for s in trust.schools}:
        db.session.add(LAReportingProcedure(local_authority_id=la_id, notify_on=["start", "change", "end"],
                                            return_frequency="termly",
                                            notes="Notify on start, change and end; a termly return (demo)."))
    school = next((s for s in trust.schools if s.slug == "millbrook"), None)
    head = _role_holder(school.id, SchoolRoleName.HEADTEACHER) if school else None
    staff = _role_holder(school.id, SchoolRoleName.STAFF) if school else None
    if school is None or head is None or staff is None:
        log.warning("demo part-time timetable skipped: no Millbrook Academy with a headteacher and staff")
        return
    today = clock.today()
    calendar = calendar_for_school(school.id)
    current, following = demo_school_years(today)  # in the summer holiday: the year just ended
    year = calendar.half_terms_of_year(current)
    if not year:
        log.warning("demo part-time timetable skipped: the calendar has no current school year")
        return
    # Began on a school day about four weeks ago; runs to the end of the school year still to come.
    start = school_day_from(calendar, max(year[0].first_day, today - dt.timedelta(weeks=4)), -dt.timedelta(days=1))
    end = year[-1].last_day
    if end < today:
        end = max((h.last_day for h in calendar.half_terms_of_year(following)), default=end)
    # Ruby (app/demo/pupils.py) has no placement: a part-time timetable is the school's own adjustment (9.2, 9.3).
    pupil = db.session.scalar(select(Pupil).where(Pupil.school_id == school.id, Pupil.first_name == "Ruby"))
    carer = db.session.scalar(select(Carer).where(Carer.pupil_id == pupil.id)) if pupil else None
    if pupil is None or carer is None:
        log.warning("demo part-time timetable skipped: no demo pupil Ruby at Millbrook Academy with a carer")
        return
    timetable = PartTimeTimetable(
        school_id=school.id, pupil_id=pupil.id, status=TimetableStatus.ACTIVE, reason_category="medical_needs",
        reason_details="Fatigue after a long illness; the consultant advises building up to full days.",
        support_plan="Individual healthcare plan with the school nurse and the hospital education service.",
        start_date=start, end_date=end, original_end_date=end,
        review_dates=[d.isoformat() for d in default_review_dates(start, end, calendar)],
        proposed_by_id=staff, proposed_at=clock.local_datetime(start - dt.timedelta(days=7), dt.time(10, 0)),
        agreed_by_carer_id=carer.id, agreed_by_name=carer.name, agreed_on=start - dt.timedelta(days=5),
        agreed_how="meeting", agreement_recorded_by_id=staff, approved_by_id=head,
        approved_at=clock.local_datetime(start - dt.timedelta(days=4), dt.time(15, 0)))
    for weekday in range(5):
        for session in ("am", "pm"):
            on_site = session == "am" and weekday < 4
            timetable.sessions.append(PartTimeTimetableSession(
                school_id=school.id, weekday=weekday, session=SessionOfDay(session),
                arrangement=Arrangement.ON_SITE if on_site else Arrangement.NOT_IN_EDUCATION,
                starts_at=TIMES[session][0], ends_at=TIMES[session][1]))
    db.session.add(timetable)
    db.session.flush()
    with school_scope(school.id):
        school_row = db.session.get(School, school.id)
        past = [d for d in calendar.school_days_between(start, today)][-(PAST_SCHOOL_DAYS + 1):]
        for day in past:
            ensure_part_time_sessions(calendar, day, school_row)
        db.session.flush()
