"""Part-time timetables on the school view and the trust view (issue 15; policy 9.6): counts only, no named
pupil (initials for the longest running)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models.part_time import PartTimeTimetable
from app.policy import part_time_timetables as policy
from app.policy.part_time_timetables import TimetableStatus
from app.services.part_time_timetables import timetables
from app.services.schools import all_schools


@dataclass
class Counts:
    """Issue 15: the school view's and trust view's counts (no named pupil: initials only for the longest)."""

    school_name: str
    active: int = 0
    proposed: int = 0
    longest_days: int | None = None
    longest_initials: str | None = None
    past_six_weeks: int = 0


def counts_of(rows: list[PartTimeTimetable], school_name: str, today: dt.date) -> Counts:
    counts = Counts(school_name)
    for t in rows:
        if t.status is TimetableStatus.PROPOSED:
            counts.proposed += 1
        elif t.status is TimetableStatus.ACTIVE and t.start_date <= today:
            counts.active += 1
            days = (today - t.start_date).days + 1
            counts.past_six_weeks += policy.six_week_flag_due(t.start_date, today, False)
            if counts.longest_days is None or days > counts.longest_days:
                counts.longest_days, counts.longest_initials = days, t.pupil.initials
    return counts


def school_counts(school_name: str) -> Counts:
    return counts_of([t for t in timetables() if t.status is not TimetableStatus.ENDED], school_name, clock.today())


def trust_counts() -> list[Counts]:
    """Every school's counts, in the trust scope (the caller enters it, audited)."""
    by_school: dict[int, list[PartTimeTimetable]] = {}
    for t in db.session.scalars(select(PartTimeTimetable).where(
            PartTimeTimetable.status != TimetableStatus.ENDED, PartTimeTimetable.archived_at.is_(None))
            .options(selectinload(PartTimeTimetable.pupil))):
        by_school.setdefault(t.school_id, []).append(t)
    return [counts_of(by_school.get(s.id, []), s.name, clock.today()) for s in all_schools()]
