"""The trust dashboard (issue 16 item 2; policy 4.1, 4.2, 4.4, 4.5, 7.9, 8.1, 8.3): one row per school with the
numbers that matter today and this half-term, each coloured by app.policy.oversight_thresholds and linking to
its list, and a trend per measure over the last six half-terms.

A fixed number of queries for any number of schools and any length of history (a test holds it flat): each
figure of today is one grouped read over every school, read in the same statement as the trends' figures
(app.services.ap_figures, app.services.figure_rows). Runs in the trust
scope the caller entered (audited).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from app import clock
from app.extensions import db
from app.models import Placement, Provider, School
from app.models.attendance import AttendanceSession, WelfareCheck
from app.models.part_time import PartTimeTimetable
from app.models.tasks import Task, TaskStatus
from app.policy.attendance import SessionKind
from app.policy.oversight_thresholds import (
    WELFARE_CHECK_OVERDUE_AFTER,
    Measure,
    Rating,
    rate,
    vetting_ends_soon,
)
from app.policy.part_time_timetables import TimetableStatus
from app.policy.provider_vetting import vetted_until
from app.school_calendar import HalfTermDates
from app.services.ap_figures import PeriodFigures, RecordSection, Window, period_figures
from app.services.calendar import calendar_for_schools
from app.services.figure_rows import record_rows
from app.services.part_time_flexi_figures import (
    FLEXI,
    FX_RUNNING,
    PART_TIME,
    PT_PAST_SIX_WEEKS,
    PT_PUPILS,
    SIX_WEEKS,
)
from app.services.providers.status import _as_aware, _latest_approvals
from app.services.report_charts import line_chart
from app.services.schools import all_schools

TREND_HALF_TERMS = 6


@dataclass(frozen=True)
class Cell:
    measure: Measure
    value: int | float | None
    rating: Rating
    link: tuple[str, dict] | None  # (endpoint, values) of the list behind the number


@dataclass
class SchoolRow:
    school: School
    half_term: HalfTermDates | None
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class TrendPoint:
    key: str
    value: float | None


@dataclass
class Trend:
    """One measure over the last six half-terms: the trust's figure per half-term (the chart) and each school's
    (the table)."""

    measure: str
    label: str
    keys: list[str]
    trust: list[TrendPoint]
    by_school: list[tuple[School, list[float | None]]]
    percent: bool = False


@dataclass
class Dashboard:
    rows: list[SchoolRow]
    trends: list[Trend]
    expiring: list[tuple[School, Provider, dt.date]]  # (school, provider in use, vetted until)
    today: dt.date


LINKS = {
    Measure.PUPILS_IN_AP: ("trust.placements", {}),
    Measure.UNCONFIRMED_SESSIONS: ("oversight.safeguarding", {"_anchor": "unconfirmed"}),
    Measure.OPEN_WELFARE_CHECKS: ("oversight.safeguarding", {"_anchor": "open-checks"}),
    Measure.OVERDUE_WELFARE_CHECKS: ("oversight.safeguarding", {"_anchor": "open-checks"}),
    Measure.OVERDUE_REVIEWS: ("trust_monitoring.monitoring", {}),
    Measure.OVERDUE_QA_VISITS: ("trust_monitoring.monitoring", {}),
    Measure.ATTENDANCE_AT_AP: ("trust_attendance.trust_overview", {}),
    Measure.PROVIDERS_EXPIRING: ("trust.index", {"_anchor": "vetting-ending"}),
    Measure.PART_TIME_TIMETABLES: ("trust_part_time.trust_index", {}),
    Measure.PART_TIME_PAST_SIX_WEEKS: ("trust_part_time.trust_index", {}),
}


def last_half_terms(calendar, today: dt.date, n: int = TREND_HALF_TERMS) -> list[HalfTermDates]:
    """The school's last `n` half-terms that have started by today (the current one last), the current one cut
    at today."""
    started = [h for h in calendar.half_terms if h.first_day <= today][-n:]
    return [HalfTermDates(h.academic_year, h.term, h.part, h.first_day, min(h.last_day, today), h.id)
            for h in started]


def half_term_key(h: HalfTermDates) -> str:
    return f"{h.academic_year_label} {h.name}"


def trend_windows(half_terms: list[HalfTermDates]) -> list[Window]:
    return [Window(half_term_key(h), h.first_day, h.last_day) for h in half_terms]


def warm_trends(school_id: int, calendar, today: dt.date) -> None:
    """Count a school's ended half-terms of the trends now, to be kept (app.services.figure_cache): the nightly
    roll-up calls it, so the trust dashboard's first view of the day is as quick as the next."""
    period_figures({school_id: trend_windows(last_half_terms(calendar, today))}, with_cost=False)


def _today_reads(now: dt.datetime, today: dt.date, school_ids: list[int], vetting_ending: Sequence[int]) -> list:
    """The numbers of today, per school, as record rows (app.services.figure_rows): read in the same statement as
    the trends' figures. Each is one grouped read over every school. Today's sessions are found through the
    (school, day) index by naming the schools: by day alone PostgreSQL scanned a whole other index (31 ms, 9,178
    pages at 10x history). Which schools use a provider is read only for `vetting_ending` (7.9): every school's
    providers in use came to 2,691 rows at 50 schools."""
    start = PartTimeTimetable.start_date
    active = (Placement.status == "active", Placement.archived_at.is_(None))
    return [
        record_rows("today_pupils", Placement.school_id, numbers=(func.count(func.distinct(Placement.pupil_id)),))
        .where(*active).group_by(Placement.school_id),
        record_rows("today_unconfirmed", AttendanceSession.school_id, numbers=(func.count(),))
        .where(AttendanceSession.school_id.in_(school_ids), AttendanceSession.day == today,
               AttendanceSession.kind == SessionKind.PROVISION,
               AttendanceSession.confirmed_at.is_(None), AttendanceSession.cutoff_at <= now)
        .group_by(AttendanceSession.school_id),
        record_rows("today_welfare", WelfareCheck.school_id, numbers=(
            func.count(), func.sum(case((WelfareCheck.raised_at <= now - WELFARE_CHECK_OVERDUE_AFTER, 1), else_=0))))
        .where(WelfareCheck.recorded_at.is_(None), WelfareCheck.archived_at.is_(None))
        .group_by(WelfareCheck.school_id),
        record_rows("today_overdue", Task.school_id, texts=(Task.kind,), numbers=(func.count(),))
        .where(Task.kind.in_(["half_termly_review", "qa_visit_due"]), Task.status == TaskStatus.OPEN,
               Task.due_at <= now).group_by(Task.school_id, Task.kind),
        # Section 9: pupils on an approved part-time timetable today and, of them, those running past six weeks.
        record_rows("today_part_time", PartTimeTimetable.school_id, numbers=(
            func.count(func.distinct(PartTimeTimetable.pupil_id)),
            func.sum(case((start < today - SIX_WEEKS, 1), else_=0))))
        .where(PartTimeTimetable.status == TimetableStatus.ACTIVE, PartTimeTimetable.approved_at.is_not(None),
               PartTimeTimetable.archived_at.is_(None), start <= today)
        .group_by(PartTimeTimetable.school_id),
        record_rows("today_providers_in_use", Placement.school_id, numbers=(Placement.provider_id,))
        .where(*active, Placement.provider_id.in_(vetting_ending)).distinct(),
    ]


def _today_section(now: dt.datetime, today: dt.date, school_ids: list[int], vetting_ending: Sequence[int],
                   into: dict[str, list]) -> RecordSection:
    """The numbers of today as a section of period_figures' statement: its rows, by tag, land in `into`."""
    def count(_periods, rows: dict[str, list]) -> None:
        into.update({tag: list(rows.get(tag, ())) for tag in TODAY_TAGS})

    return RecordSection(lambda _periods, _table: _today_reads(now, today, school_ids, vetting_ending), count)


TODAY_TAGS = ("today_pupils", "today_unconfirmed", "today_welfare", "today_overdue", "today_part_time",
              "today_providers_in_use")


def trust_dashboard(now: dt.datetime | None = None) -> Dashboard:
    now = now or clock.now()
    today = clock.to_local(now).date()
    schools = all_schools()
    calendars = calendar_for_schools([s.id for s in schools])
    half_terms = {s.id: last_half_terms(calendars[s.id], today) for s in schools}
    windows = {sid: trend_windows(hts) for sid, hts in half_terms.items()}
    found: dict[str, list] = {}
    vetting_ending = _vetting_ending_soon(today)
    figures = period_figures(windows, with_cost=False, also=[
        _today_section(now, today, [s.id for s in schools], sorted(vetting_ending), found)])
    pupils = {r.school_id: r.number_1 for r in found["today_pupils"]}
    unconfirmed = {r.school_id: r.number_1 for r in found["today_unconfirmed"]}
    welfare = {r.school_id: (r.number_1, r.number_2) for r in found["today_welfare"]}
    overdue = {(r.school_id, r.text_1): r.number_1 for r in found["today_overdue"]}
    part_time = {r.school_id: (r.number_1, r.number_2) for r in found["today_part_time"]}
    expiring = _vetting_ending(schools, vetting_ending,
                               [(r.school_id, r.number_1) for r in found["today_providers_in_use"]])
    expiring_count = defaultdict(int)
    for school, _, _ in expiring:
        expiring_count[school.id] += 1

    rows = []
    for school in schools:
        current = calendars[school.id].half_term_for(today)
        this = figures.get((school.id, half_term_key(half_terms[school.id][-1]))) \
            if current and half_terms[school.id] else None
        open_checks, overdue_checks = welfare.get(school.id, (0, 0))
        values = {
            Measure.PUPILS_IN_AP: pupils.get(school.id, 0),
            Measure.UNCONFIRMED_SESSIONS: unconfirmed.get(school.id, 0),
            Measure.OPEN_WELFARE_CHECKS: open_checks or 0,
            Measure.OVERDUE_WELFARE_CHECKS: int(overdue_checks or 0),
            Measure.OVERDUE_REVIEWS: overdue.get((school.id, "half_termly_review"), 0),
            Measure.OVERDUE_QA_VISITS: overdue.get((school.id, "qa_visit_due"), 0),
            Measure.ATTENDANCE_AT_AP: this.attendance if this else None,
            Measure.PROVIDERS_EXPIRING: expiring_count[school.id],
            Measure.PART_TIME_TIMETABLES: part_time.get(school.id, (0, 0))[0],
            Measure.PART_TIME_PAST_SIX_WEEKS: int(part_time.get(school.id, (0, 0))[1] or 0),
        }
        rows.append(SchoolRow(school, current, [Cell(m, v, rate(m, v), LINKS[m]) for m, v in values.items()]))
    return Dashboard(rows, _trends(schools, half_terms, figures), expiring, today)


TREND_MEASURES = (
    ("pupils_in_ap", "Pupils in AP", False, lambda f: f.pupils_in_ap),
    ("attendance", "Attendance at AP", True, lambda f: f.attendance),
    ("welfare_checks", "Welfare checks raised", False, lambda f: f.welfare_checks),
    ("not_located", "Pupils not located", False, lambda f: f.not_located),
    ("reviews_late", "Half-termly reviews not held on time", False, lambda f: f.reviews_due - f.reviews_on_time),
    ("qa_late", "QA visits not made on time", False, lambda f: f.qa_visits_due - f.qa_visits_on_time),
    ("part_time", "Pupils on a part-time timetable", False,
     lambda f: f.extra.get(PART_TIME, {}).get(PT_PUPILS)),
    ("part_time_long", "Part-time timetables running past six weeks", False,
     lambda f: f.extra.get(PART_TIME, {}).get(PT_PAST_SIX_WEEKS)),
    ("flexi", "Flexi-schooling agreements running", False, lambda f: f.extra.get(FLEXI, {}).get(FX_RUNNING)),
)


def _trust_value(measure: str, figs: list[PeriodFigures], getter):
    if not figs:
        return None
    if measure == "attendance":
        attended, possible = sum(f.attended for f in figs), sum(f.possible for f in figs)
        return 100 * attended / possible if possible else None
    return sum(getter(f) or 0 for f in figs)


def _trends(schools, half_terms, figures) -> list[Trend]:
    """The trust's figure per half-term key (the keys of the schools' last six half-terms, in order)."""
    keys: dict[str, dt.date] = {}
    for hts in half_terms.values():
        for h in hts:
            keys.setdefault(half_term_key(h), h.first_day)
    ordered = sorted(keys, key=keys.get)[-TREND_HALF_TERMS:]
    trends = []
    for measure, label, percent, getter in TREND_MEASURES:
        by_school = [(s, [getter(figures[(s.id, k)]) if (s.id, k) in figures else None for k in ordered])
                     for s in schools]
        trust = [TrendPoint(k, _trust_value(measure, [figures[(s.id, k)] for s in schools if (s.id, k) in figures],
                                            getter)) for k in ordered]
        trends.append(Trend(measure, label, ordered, trust, by_school, percent))
    return trends


def _vetting_ending_soon(today: dt.date) -> dict[int, dt.date]:
    """Policy 7.9: every provider whose vetting ends within the window, with the day it ends."""
    until = {provider_id: vetted_until(_as_aware(approved))
             for provider_id, approved in _latest_approvals(None).items()}
    return {provider_id: day for provider_id, day in until.items() if vetting_ends_soon(day, today)}


def _vetting_ending(schools, vetting_ending: dict[int, dt.date],
                    in_use: list[tuple[int, int]]) -> list[tuple[School, Provider, dt.date]]:
    """Policy 7.9: the providers each school has an active placement with (`in_use`: (school id, provider id),
    read only for the providers in `vetting_ending`) whose vetting ends within the window."""
    provider_ids = sorted({p for _, p in in_use})
    if not provider_ids:
        return []
    providers = {p.id: p for p in db.session.scalars(select(Provider).where(Provider.id.in_(provider_ids)))}
    by_id = {s.id: s for s in schools}
    found = [(by_id[school_id], providers[provider_id], vetting_ending[provider_id])
             for school_id, provider_id in in_use if school_id in by_id]
    return sorted(found, key=lambda r: (r[2], r[0].name, r[1].name))


def trend_charts(dashboard: Dashboard) -> list:
    """The trust's line per trend (app.services.report_charts), in the dashboard's order."""
    return [line_chart(t.keys, [p.value for p in t.trust], t.percent) for t in dashboard.trends]
