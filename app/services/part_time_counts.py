"""Part-time timetables on the school view and the trust view (issue 15; policy 9.6): counts only, no named
pupil (initials for the longest running)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Pupil
from app.models.part_time import PartTimeTimetable
from app.policy import part_time_timetables as policy
from app.policy.part_time_timetables import TimetableStatus
from app.services.figure_rows import read_rows, record_rows
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


def counts_of(rows: list[tuple], school_name: str, today: dt.date) -> Counts:
    """`rows`: (status, start date, pupil's initials) of the timetables not ended."""
    counts = Counts(school_name)
    for status, start_date, initials in rows:
        if status is TimetableStatus.PROPOSED:
            counts.proposed += 1
        elif status is TimetableStatus.ACTIVE and start_date <= today:
            counts.active += 1
            days = (today - start_date).days + 1
            counts.past_six_weeks += policy.six_week_flag_due(start_date, today, False)
            if counts.longest_days is None or days > counts.longest_days:
                counts.longest_days, counts.longest_initials = days, initials
    return counts


def school_count_selects() -> list[Select]:
    """The current school's timetables not ended (status, start, the pupil's names), as a `record_rows` SELECT:
    one UNION ALL with the school dashboard's other cards (issue 18)."""
    return [record_rows("part_time.timetable", PartTimeTimetable.school_id, days=(PartTimeTimetable.start_date,),
                        texts=(PartTimeTimetable.status, Pupil.first_name, Pupil.last_name),
                        numbers=(PartTimeTimetable.id,))
            .join(Pupil, Pupil.id == PartTimeTimetable.pupil_id)
            .where(PartTimeTimetable.archived_at.is_(None), PartTimeTimetable.status != TimetableStatus.ENDED)]


def school_counts(school_name: str, rows: dict[str, list] | None = None) -> Counts:
    """The current school's counts, in one statement; none given `rows`, `school_count_selects` already read. Latest
    start first, as the timetables list (of two as long-running, the later-made is named)."""
    rows = read_rows(school_count_selects()) if rows is None else rows
    latest_first = sorted(rows["part_time.timetable"], key=lambda r: (r.day_1, r.number_1), reverse=True)
    return counts_of([(TimetableStatus(r.text_1), r.day_1, Pupil.initials_of(r.text_2, r.text_3))
                      for r in latest_first], school_name, clock.today())


def trust_counts() -> list[Counts]:
    """Every school's counts, in the trust scope (the caller enters it, audited)."""
    by_school: dict[int, list[tuple]] = {}
    for t in db.session.scalars(select(PartTimeTimetable).where(
            PartTimeTimetable.status != TimetableStatus.ENDED, PartTimeTimetable.archived_at.is_(None))
            .options(selectinload(PartTimeTimetable.pupil))):
        by_school.setdefault(t.school_id, []).append((t.status, t.start_date, t.pupil.initials))
    return [counts_of(by_school.get(s.id, []), s.name, clock.today()) for s in all_schools()]
