"""The attendance picture (issue 6 item 7; policy 4.5): attendance percentages of a pupil or a placement by week and
by half-term with a small chart, and, for the school and trust views, the pupils below the persistent-absence
threshold this half-term and the sessions still unconfirmed today.

Percentages are app.policy.attendance's (attendance_percentage, attendance_by_week, attendance_by_half_term);
this module reads the marks. School functions run in a school's tenant scope; `trust_attendance` in the trust
scope (the caller enters it, audited).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Placement, Pupil, School
from app.models.attendance import AttendanceSession
from app.policy.attendance import (
    AM,
    PERSISTENT_ABSENCE_THRESHOLD,
    SessionKind,
    SessionMark,
    attendance_by_half_term,
    attendance_by_week,
    attendance_percentage,
    persistently_absent,
    register_code,
)
from app.school_calendar import HalfTermDates, SchoolCalendar
from app.services.calendar import calendar_for_school, calendar_for_schools
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


def _percentages_by_pupil(rows: Iterable) -> dict[tuple[int, int], float]:
    """(school id, pupil id) -> percentage, from rows of (school, pupil, code, kind, arranged_by, count): the
    marks are counted in SQL and handed to the policy's percentage as that many marks each."""
    marks: dict[tuple[int, int], list[SessionMark]] = {}
    for school_id, pupil_id, code, kind, arranged_by, count in rows:
        mark = _mark(dt.date.min, AM, code, kind, arranged_by)  # only the code counts here
        marks.setdefault((school_id, pupil_id), []).extend([mark] * count)
    found = {}
    for key, pupil_marks in marks.items():
        pct = attendance_percentage(pupil_marks)
        if pct is not None:
            found[key] = pct
    return found


def attendance_overview(schools: list[School], calendars: dict[int, SchoolCalendar],
                        today: dt.date | None = None) -> list[SchoolAttendance]:
    """Per school: sessions still unconfirmed today (provision sessions made for today with no mark), and the
    pupils whose attendance this half-term (to today) is below the persistent-absence threshold, lowest first.
    A fixed number of queries for any number of schools (one more per distinct half-term window)."""
    today = today or clock.today()
    ids = [s.id for s in schools]
    overview = {s.id: SchoolAttendance(s, calendars[s.id].half_term_for(today)) for s in schools}
    if not ids:
        return []
    for school_id, count in db.session.execute(
            select(AttendanceSession.school_id, func.count())
            .where(AttendanceSession.school_id.in_(ids), AttendanceSession.day == today,
                   AttendanceSession.kind == SessionKind.PROVISION, AttendanceSession.confirmed_at.is_(None))
            .group_by(AttendanceSession.school_id)):
        overview[school_id].unconfirmed_today = count
    windows: dict[dt.date, list[int]] = {}
    for line in overview.values():
        if line.half_term is not None:
            windows.setdefault(line.half_term.first_day, []).append(line.school.id)
    percentages: dict[tuple[int, int], float] = {}
    for first_day, school_ids in windows.items():
        percentages.update(_percentages_by_pupil(db.session.execute(
            select(AttendanceSession.school_id, AttendanceSession.pupil_id, AttendanceSession.register_code,
                   AttendanceSession.kind, Placement.arranged_by, func.count())
            .outerjoin(Placement, Placement.id == AttendanceSession.placement_id)
            .where(AttendanceSession.school_id.in_(school_ids), AttendanceSession.day >= first_day,
                   AttendanceSession.day <= today)
            .group_by(AttendanceSession.school_id, AttendanceSession.pupil_id, AttendanceSession.register_code,
                      AttendanceSession.kind, Placement.arranged_by))))
    low = {key: pct for key, pct in percentages.items() if persistently_absent(pct)}
    if low:
        pupils = {p.id: p for p in db.session.scalars(select(Pupil).where(Pupil.id.in_({k[1] for k in low})))}
        for (school_id, pupil_id), pct in sorted(low.items(), key=lambda item: item[1]):
            pupil = pupils[pupil_id]
            overview[school_id].below_threshold.append(
                LowAttendance(pupil_id, pupil.initials, pupil.display_name, pct))
    return [overview[i] for i in ids]


def school_attendance(school: School) -> SchoolAttendance:
    """The dashboard card of the current school."""
    return attendance_overview([school], {school.id: calendar_for_school(school.id)})[0]


def trust_attendance() -> list[SchoolAttendance]:
    """Every school of the trust (in the trust scope)."""
    schools = all_schools()
    return attendance_overview(schools, calendar_for_schools(s.id for s in schools))
