"""The daily part-time timetable sweep of one school (issue 15 items 6-9; policy 9.6, 9.7), run by
jobs/part_time_sweeps.py inside the school's scope: timetables past their end date return to full time, review
tasks on the agreed dates, the six-week flag, the day's welfare checks where there is no on-site session, and the
LA's scheduled return. Idempotent (every step is once per dedupe key or unique key); the caller commits.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.part_time import PartTimeTimetable
from app.policy.part_time_timetables import TimetableStatus
from app.school_calendar import SchoolCalendar
from app.services.part_time_notices import ensure_review_tasks, flag_six_weeks, send_scheduled_returns
from app.services.part_time_register import ensure_welfare_checks
from app.services.part_time_timetables import end_at_end_date


def daily_sweep(calendar: SchoolCalendar, today: dt.date) -> dict[str, int]:
    done = {"ended": end_at_end_date(today), "reviews": 0, "flagged": 0, "welfare_checks": 0, "returns": 0}
    if not calendar.is_school_day(today):
        return done  # never in holidays or at weekends
    for timetable in db.session.scalars(select(PartTimeTimetable).where(
            PartTimeTimetable.status == TimetableStatus.ACTIVE, PartTimeTimetable.start_date <= today)
            .options(selectinload(PartTimeTimetable.reviews), selectinload(PartTimeTimetable.pupil))):
        done["reviews"] += ensure_review_tasks(timetable, today)
        done["flagged"] += flag_six_weeks(timetable, today)
    done["welfare_checks"] = len(ensure_welfare_checks(calendar, today))
    done["returns"] = send_scheduled_returns(calendar, today)
    return done
