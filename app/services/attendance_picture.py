"""The attendance picture (issue 6 item 7; policy 4.5): attendance percentages of a pupil or a placement by week and
by half-term with a small chart, and, for the school and trust views, the pupils below the persistent-absence
threshold this half-term and the sessions still unconfirmed today.

Percentages are app.policy.attendance's (attendance_percentage, attendance_by_week, attendance_by_half_term);
this module reads the marks. School functions run in a school's tenant scope; `trust_attendance` in the trust
scope (the caller enters it, audited).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, case, func, select

from app import clock
from app.extensions import db
from app.models import Placement, Pupil, School
from app.models.attendance import AttendanceSession
from app.policy.attendance import (
    PERSISTENT_ABSENCE_THRESHOLD,
    SessionKind,
    SessionMark,
    attendance_by_half_term,
    attendance_by_week,
    attendance_percentage,
    counted_codes,
    fixed_codes,
    percentage_from_counts,
    persistently_absent,
    register_code,
)
from app.school_calendar import HalfTermDates, SchoolCalendar
from app.services.calendar import calendar_for_school, calendar_for_schools
from app.services.figure_rows import read_rows, record_rows
from app.services.schools import all_schools

CHART_WEEKS = 16  # the chart shows the latest weeks; the table below it has every week


def _mark(day, session: str, code, kind, arranged_by) -> SessionMark:
    if kind is not SessionKind.PROVISION:
        code = register_code(None, arranged_by, kind=kind)  # C2 / C: fixed whatever is reported
    return SessionMark(day, session, code)


def _marks(*criteria) -> list[SessionMark]:
    rows = db.session.execute(
        select(AttendanceSession.day, AttendanceSession.session, AttendanceSession.register_code,
               AttendanceSession.kind, Placement.arranged_by)
        .outerjoin(Placement, Placement.id == AttendanceSession.placement_id)
        .where(AttendanceSession.day <= clock.today(), *criteria)
        .order_by(AttendanceSession.day, AttendanceSession.session))
    return [_mark(day, session.value, code, kind, arranged_by) for day, session, code, kind, arranged_by in rows]


def marks_of_pupil(pupil_id: int) -> list[SessionMark]:
    """Every session of the pupil at any provider, up to today."""
    return _marks(AttendanceSession.pupil_id == pupil_id)


def marks_of_placement(placement_id: int) -> list[SessionMark]:
    return _marks(AttendanceSession.placement_id == placement_id)


@dataclass(frozen=True)
class Bar:
    label: str
    percentage: float | None
    first_day: dt.date


@dataclass
class Picture:
    overall: float | None
    weeks: list[Bar]
    half_terms: list[Bar]
    sessions: int
    unconfirmed: int
    threshold: float = PERSISTENT_ABSENCE_THRESHOLD

    @property
    def chart_weeks(self) -> list[Bar]:
        return self.weeks[-CHART_WEEKS:]


def picture_of(marks: list[SessionMark], calendar: SchoolCalendar) -> Picture:
    """Policy 4.5: the percentages overall, by week and by half-term."""
    weeks = [Bar(f"w/c {monday:%-d %b}", pct, monday) for monday, pct in attendance_by_week(marks).items()]
    halves = [Bar(str(h), pct, h.first_day) for h, pct in attendance_by_half_term(marks, calendar).items()]
    return Picture(attendance_percentage(marks), weeks, halves, len(marks),
                   sum(1 for m in marks if m.code is None))


# --- the school and trust views -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LowAttendance:
    pupil_id: int
    initials: str
    name: str
    percentage: float


@dataclass
class SchoolAttendance:
    school: School
    half_term: HalfTermDates | None
    unconfirmed_today: int = 0
    below_threshold: list[LowAttendance] = field(default_factory=list)
    threshold: float = PERSISTENT_ABSENCE_THRESHOLD


def _low_attendance_select(school_ids: list[int], first_day: dt.date, today: dt.date) -> Select:
    """The pupils below the persistent-absence threshold from `first_day` to today, as a `record_rows` SELECT.
    Counted in SQL (attended and possible sessions per pupil, the codes from app.policy.attendance) and filtered
    there, so only those pupils come back, with their names: the trust page expanded 62k sessions into Python
    lists and loaded 920 pupils through an IN (issue 18)."""
    possible_codes, attended_codes = counted_codes()
    code = case(*[(AttendanceSession.kind == kind, fixed) for kind, fixed in fixed_codes().items()],
                else_=AttendanceSession.register_code)
    possible = func.sum(case((code.in_(sorted(possible_codes)), 1), else_=0))
    attended = func.sum(case((code.in_(sorted(attended_codes)), 1), else_=0))
    # Counted per pupil from the sessions alone, names joined to the few below the threshold: joined first, the
    # half-term's 60k sessions (50 schools) were hashed against all 25k pupils and sorted on disk (64 ms).
    low = (select(AttendanceSession.school_id, AttendanceSession.pupil_id, attended.label("attended"),
                  possible.label("possible"))
           .where(AttendanceSession.school_id.in_(school_ids), AttendanceSession.day >= first_day,
                  AttendanceSession.day <= today)
           .group_by(AttendanceSession.school_id, AttendanceSession.pupil_id)
           .having(possible > 0, attended * 100 < possible * PERSISTENT_ABSENCE_THRESHOLD)
           .subquery("low_attendance"))
    return (record_rows(f"attendance.low:{first_day.isoformat()}", low.c.school_id,
                        texts=(Pupil.first_name, Pupil.last_name, Pupil.preferred_name),
                        numbers=(Pupil.id, low.c.attended, low.c.possible))
            .select_from(low).join(Pupil, Pupil.id == low.c.pupil_id))


def _low_attendance(rows: list) -> list[tuple[int, LowAttendance]]:
    """(school id, pupil) of `_low_attendance_select`'s rows that the policy counts as low, lowest first."""
    found = []
    for r in rows:
        first, last, preferred, pupil_id = r.text_1, r.text_2, r.text_3, r.number_1
        pct = percentage_from_counts(r.number_2, r.number_3)
        if persistently_absent(pct):  # the policy decides; the SQL only narrows
            found.append((r.school_id, LowAttendance(pupil_id, f"{first[:1]}{last[:1]}".upper(),
                                                     f"{preferred or first} {last}", pct)))
    return sorted(found, key=lambda item: (item[1].percentage, item[1].pupil_id))


def _windows(schools: list[School], calendars: dict[int, SchoolCalendar], today: dt.date) -> dict:
    """The schools grouped by the first day of the half-term they are in today (none in the holidays)."""
    windows: dict[dt.date, list[int]] = {}
    for school in schools:
        half_term = calendars[school.id].half_term_for(today)
        if half_term is not None:
            windows.setdefault(half_term.first_day, []).append(school.id)
    return windows


def attendance_selects(schools: list[School], calendars: dict[int, SchoolCalendar],
                       today: dt.date | None = None) -> list[Select]:
    """What `attendance_overview` reads, as `record_rows` SELECTs for one UNION ALL (the school dashboard adds
    them to its other cards'): today's unconfirmed sessions, and one low-attendance read per half-term window."""
    today = today or clock.today()
    ids = [s.id for s in schools]
    if not ids:
        return []
    unconfirmed = (record_rows("attendance.unconfirmed", AttendanceSession.school_id, numbers=(func.count(),))
                   .where(AttendanceSession.school_id.in_(ids), AttendanceSession.day == today,
                          AttendanceSession.kind == SessionKind.PROVISION, AttendanceSession.confirmed_at.is_(None))
                   .group_by(AttendanceSession.school_id))
    return [unconfirmed, *(_low_attendance_select(school_ids, first_day, today)
                           for first_day, school_ids in _windows(schools, calendars, today).items())]


def attendance_overview(schools: list[School], calendars: dict[int, SchoolCalendar], today: dt.date | None = None,
                        rows: dict[str, list] | None = None) -> list[SchoolAttendance]:
    """Per school: sessions still unconfirmed today (provision sessions made for today with no mark), and the
    pupils whose attendance this half-term (to today) is below the persistent-absence threshold, lowest first.
    One statement for any number of schools (`attendance_selects`), none given `rows`, those already read."""
    today = today or clock.today()
    overview = {s.id: SchoolAttendance(s, calendars[s.id].half_term_for(today)) for s in schools}
    if not overview:
        return []
    if rows is None:
        rows = read_rows(attendance_selects(schools, calendars, today))
    for r in rows["attendance.unconfirmed"]:
        overview[r.school_id].unconfirmed_today = r.number_1
    for first_day in _windows(schools, calendars, today):
        for school_id, low in _low_attendance(rows[f"attendance.low:{first_day.isoformat()}"]):
            overview[school_id].below_threshold.append(low)
    return [overview[s.id] for s in schools]


def school_attendance(school: School, rows: dict[str, list] | None = None) -> SchoolAttendance:
    """The dashboard card of the current school (`rows`: its `attendance_selects` already read)."""
    return attendance_overview([school], {school.id: calendar_for_school(school.id)}, rows=rows)[0]


def trust_attendance() -> list[SchoolAttendance]:
    """Every school of the trust (in the trust scope)."""
    schools = all_schools()
    return attendance_overview(schools, calendar_for_schools(s.id for s in schools))
