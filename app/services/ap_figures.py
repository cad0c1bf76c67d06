"""The figures of the use of AP for periods (issue 16; policy 4.1, 4.2, 8.7): the one source the trust dashboard's
trends, the headteacher's report (page, PDF and API), the governors' view and the trust report all read.

`period_figures(windows)` takes, per school, the periods to count (a half-term, a term, any date range) and
answers every figure for each (school, period) in three statements, whatever the number of schools, periods or
years of history: the placements, the attendance rolled up for past days (app.services.attendance_day_counts),
then every other kind of record as one UNION ALL (app.services.figure_rows), each kind read once for all the
periods (grouped by a small table of the windows: app.services.figure_windows), or fetched once for the whole
span and counted into each window. Aggregates only: nothing here returns a pupil's name. Runs in one school's
scope (its own windows) or in a trust scope.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementAgreement, Provider, School
from app.models.attendance import AttendanceSession, WelfareCheck
from app.models.monitoring import PlacementReview, QAActivity
from app.models.oversight import Complaint
from app.models.providers import ProviderConcern
from app.models.pupils import Referral
from app.models.tasks import Task, TaskStatus
from app.policy.ap_report import attendance_from_counts, cost_in_period, percentage
from app.policy.attendance import REGISTER_CODES, SessionKind
from app.policy.referral import reason_label
from app.services.attendance_day_counts import live_days, rolled_up
from app.services.attendance_picture import _mark
from app.services.figure_cache import keep, kept_figures
from app.services.figure_rows import read_rows, record_rows
from app.services.figure_windows import Groups, in_window, of_group, overlap, window_groups, windows_table


@dataclass(frozen=True)
class Window:
    """A period of one school: `key` names it the same in every school (e.g. "2025-26 Autumn 1")."""

    key: str
    first_day: dt.date
    last_day: dt.date


@dataclass
class PeriodFigures:
    """What the report counts for one school and one period (4.2): use, attendance, welfare, monitoring,
    outcomes, off-site directions, provider concerns, cost. Never a pupil's name."""

    pupils_in_ap: int = 0
    placements: int = 0
    new_placements: int = 0
    ended_placements: int = 0
    sessions_due: int = 0
    days_in_ap: int = 0
    by_provider: Counter = field(default_factory=Counter)  # provider name -> placements
    by_kind: Counter = field(default_factory=Counter)  # on-site / off-site / online -> placements
    by_reason: Counter = field(default_factory=Counter)  # 5.2 reason label -> placements
    attended: int = 0
    possible: int = 0
    welfare_checks: int = 0
    welfare_outcomes: Counter = field(default_factory=Counter)
    not_located: int = 0
    reviews_due: int = 0
    reviews_on_time: int = 0
    reviews_held: int = 0
    qa_visits_due: int = 0
    qa_visits_on_time: int = 0
    qa_activities: int = 0
    destinations: Counter = field(default_factory=Counter)  # 8.7: where pupils went at the end
    off_site_directions: int = 0
    provider_concerns: int = 0
    cost: Decimal = Decimal(0)
    costed_placements: int = 0
    cost_by_provider: dict = field(default_factory=lambda: defaultdict(Decimal))
    attended_by_provider: Counter = field(default_factory=Counter)
    extra: dict = field(default_factory=dict)  # later sections (complaints, part-time timetables, flexi)

    @property
    def attendance(self) -> float | None:
        return percentage(self.attended, self.possible)

    @property
    def cost_per_pupil(self) -> Decimal | None:
        return (self.cost / self.pupils_in_ap).quantize(Decimal("0.01")) if self.pupils_in_ap and self.costed_placements else None

    @property
    def cost_per_attended_session(self) -> Decimal | None:
        return (self.cost / self.attended).quantize(Decimal("0.01")) if self.attended and self.costed_placements else None

    @classmethod
    def merged(cls, many: list[PeriodFigures]) -> PeriodFigures:
        """Several schools' figures for one period added together (the trust's column of the trust report)."""
        total = cls()
        for f in many:
            for name, value in vars(f).items():
                if name == "extra":
                    for key, counts in value.items():
                        total.extra.setdefault(key, Counter()).update(counts)
                elif name == "cost_by_provider":
                    for provider, cost in value.items():
                        total.cost_by_provider[provider] += cost
                elif isinstance(value, Counter):
                    getattr(total, name).update(value)
                else:
                    setattr(total, name, getattr(total, name) + value)
        return total

    def value_by_provider(self) -> list[tuple[str, Decimal, int, Decimal | None]]:
        """(provider, cost, attended sessions, cost per attended session), dearest first."""
        return sorted(((name, cost.quantize(Decimal("0.01")), self.attended_by_provider[name],
                        (cost / self.attended_by_provider[name]).quantize(Decimal("0.01"))
                        if self.attended_by_provider[name] else None)
                       for name, cost in self.cost_by_provider.items()), key=lambda r: (-r[1], r[0]))


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return clock.to_local(value if value.tzinfo else value.replace(tzinfo=dt.UTC)).date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


@dataclass(frozen=True)
class Periods:
    """What every stage of `period_figures` reads: the windows by school, their figures and their span."""

    windows: dict[int, list[Window]]
    figures: dict[tuple[int, str], PeriodFigures]
    earliest: dt.date | None  # None: no window asked for (only the caller's own sections are read)
    latest: dt.date | None
    groups: Groups = field(default_factory=list)  # the schools sharing the same windows (app.services.figure_windows)

    @property
    def school_ids(self) -> list[int]:
        return list(self.windows)

    def since(self):
        return clock.local_datetime(self.earliest, dt.time(0))

    def until(self):
        return clock.local_datetime(self.latest + dt.timedelta(days=1), dt.time(0))

    def on(self, school_id: int, day: dt.date) -> list[PeriodFigures]:
        return _figures_on(self.figures, self.windows, school_id, day)


@dataclass(frozen=True)
class RecordSection:
    """A part of the figures read with the others in one statement (app.services.figure_rows): `reads(periods,
    table)` gives its SELECTs of `record_rows` (`table`: the windows as a table to join to), `count(periods, rows)`
    counts the rows, by tag, into `periods.figures`."""

    reads: Callable[[Periods, object], list]
    count: Callable[[Periods, dict[str, list]], None]


def period_figures(windows: dict[int, list[Window]], with_cost: bool = True,
                   also: Sequence[RecordSection] = ()) -> dict[tuple[int, str], PeriodFigures]:
    """Every figure for every (school id, window key), in a fixed number of queries (see the module): the
    placements, then every other kind of record in one statement. `with_cost=False` leaves out the cost and the
    days in AP (each placement's sessions in each window), for the dashboard's trends. `also`: the caller's own
    sections, read in the same statement (counted even when no window is asked for; their `reads` get no table)."""
    figures: dict[tuple[int, str], PeriodFigures] = {
        (school_id, w.key): PeriodFigures() for school_id, ws in windows.items() for w in ws}
    # Periods kept since their school's records last changed are not counted again (figure_cache).
    kept, token = kept_figures(windows, "cost" if with_cost else "plain")
    figures.update(kept)
    windows = {s: [w for w in ws if (s, w.key) not in kept] for s, ws in windows.items()}
    windows = {s: ws for s, ws in windows.items() if ws}
    if not windows:
        _read_and_count(Periods(windows, figures, None, None), None, also)
        return figures
    periods = Periods(windows, figures, min(w.first_day for ws in windows.values() for w in ws),
                      max(w.last_day for ws in windows.values() for w in ws), window_groups(windows))
    placement_rows = _placement_figures(periods)
    table = windows_table(periods.groups)
    _read_and_count(periods, table, [
        _attendance_section(periods, table), *([_cost_section(placement_rows)] if with_cost else []), *_SECTIONS,
        *PERIOD_SECTIONS, *also])
    keep(token, windows, figures)
    return figures


def _read_and_count(periods: Periods, table, sections: Sequence[RecordSection]) -> None:
    rows = read_rows([select_ for section in sections for select_ in section.reads(periods, table)])
    for section in sections:
        section.count(periods, rows)


def _runs_in(row, w: Window) -> bool:
    return not (row.start_date > w.last_day or (row.ended_on is not None and row.ended_on < w.first_day))


def _placement_figures(q: Periods) -> dict:
    """Placements that ran in any window: use of AP, kinds, reasons, destinations, directions (the rows, for cost)."""
    placements = db.session.execute(
        select(Placement.id, Placement.school_id, Placement.pupil_id, Placement.start_date, Placement.ended_on,
               Placement.end_destination, Placement.is_off_site_direction, Provider.name, Provider.kind,
               Referral.reasons, PlacementAgreement.cost_amount, PlacementAgreement.cost_unit)
        .join(Provider, Provider.id == Placement.provider_id)
        .outerjoin(Referral, Referral.id == Placement.referral_id)
        .outerjoin(PlacementAgreement, PlacementAgreement.placement_id == Placement.id)
        .where(Placement.school_id.in_(q.school_ids), Placement.archived_at.is_(None),
               Placement.status.in_(["active", "ended"]),
               overlap(q.groups, Placement.school_id, Placement.start_date, Placement.ended_on))).all()
    pupils: dict[tuple[int, str], set] = defaultdict(set)
    for row in placements:
        for w in q.windows[row.school_id]:
            if _runs_in(row, w):
                pupils[(row.school_id, w.key)].add(row.pupil_id)
                _count_placement(q.figures[(row.school_id, w.key)], row, w)
    for key, ids in pupils.items():
        q.figures[key].pupils_in_ap = len(ids)
    return {row.id: row for row in placements}


def _count_placement(f: PeriodFigures, row, w: Window) -> None:
    f.placements += 1
    f.by_provider[row.name] += 1
    f.by_kind[str(row.kind.value if hasattr(row.kind, "value") else row.kind).replace("_", " ")] += 1
    for code in row.reasons or ["not recorded"]:
        f.by_reason[reason_label(code) if code != "not recorded" else "Not recorded"] += 1
    f.off_site_directions += bool(row.is_off_site_direction)
    if w.first_day <= row.start_date <= w.last_day:
        f.new_placements += 1
    if row.ended_on is not None and w.first_day <= row.ended_on <= w.last_day:
        f.ended_placements += 1
        f.destinations[(row.end_destination or "Not recorded").strip()] += 1


def _in_window(q: Periods, table):
    return in_window(q.groups, table, AttendanceSession.school_id, AttendanceSession.day)


def _attendance_section(q: Periods, table) -> RecordSection:
    """Attendance: sessions due, attended and possible (4.5): the counts of the days rolled up (read first, a
    statement of its own), and the sessions of the other days counted live (app.services.attendance_day_counts)."""
    rolled, live = rolled_up(table, lambda school_col: of_group(q.groups, table, school_col), q.windows)

    def reads(_q: Periods, table) -> list:
        return [record_rows("attendance", AttendanceSession.school_id, numbers=(func.count(),),
                            texts=(table.c.key, AttendanceSession.register_code, AttendanceSession.kind,
                                   Placement.arranged_by))
                .select_from(table).join(AttendanceSession, _in_window(q, table))
                .join(Placement, Placement.id == AttendanceSession.placement_id)
                .where(live_days(AttendanceSession.school_id, AttendanceSession.day, live))
                .group_by(AttendanceSession.school_id, table.c.key, AttendanceSession.register_code,
                          AttendanceSession.kind, Placement.arranged_by)]

    def count(q: Periods, rows: dict[str, list]) -> None:
        counted = [(r.school_id, r.text_1, r.text_2, r.text_3, r.text_4, r.number_1) for r in rows["attendance"]]
        for school_id, key, code, kind, arranged_by, sessions in rolled + counted:
            f = q.figures[(school_id, key)]
            f.sessions_due += sessions
            mark = _mark(None, "am", code, kind if isinstance(kind, SessionKind) else SessionKind(kind), arranged_by)
            attended, possible = attendance_from_counts({mark.code: sessions})
            f.attended += attended
            f.possible += possible

    return RecordSection(reads, count)


def _cost_section(placement_rows: dict) -> RecordSection:
    """Days in AP and the cost, from each placement's sessions in each window (7.11)."""
    def reads(q: Periods, table) -> list:
        return [record_rows("placement_sessions", AttendanceSession.school_id, texts=(table.c.key,),
                            numbers=(AttendanceSession.placement_id, func.count(),
                                     func.count(func.distinct(AttendanceSession.day)),
                                     func.sum(case((AttendanceSession.register_code.in_(_attending_codes()), 1),
                                                   else_=0))),
                            days=(func.min(AttendanceSession.day), func.max(AttendanceSession.day)))
                .select_from(table).join(AttendanceSession, _in_window(q, table))
                .where(AttendanceSession.kind == SessionKind.PROVISION)
                .group_by(AttendanceSession.placement_id, AttendanceSession.school_id, table.c.key)]

    def count(q: Periods, rows: dict[str, list]) -> None:
        sessions_of = {(r.number_1, r.text_1): r for r in rows["placement_sessions"]}
        for r in sessions_of.values():
            q.figures[(r.school_id, r.text_1)].days_in_ap += r.number_3
        for row in placement_rows.values():
            for win in q.windows[row.school_id]:
                if _runs_in(row, win):
                    _cost_placement(q.figures[(row.school_id, win.key)], row, win, sessions_of.get((row.id, win.key)))

    return RecordSection(reads, count)


def _cost_placement(f: PeriodFigures, row, win: Window, s) -> None:
    cost = cost_in_period(row.cost_amount, getattr(row.cost_unit, "value", row.cost_unit),
                          s.number_2 if s else 0, s.number_3 if s else 0, _as_date(s.day_1) if s else None,
                          _as_date(s.day_2) if s else None, win.first_day <= row.start_date <= win.last_day)
    if cost is None:
        return
    f.cost += cost
    f.costed_placements += 1
    f.cost_by_provider[row.name] += cost
    f.attended_by_provider[row.name] += int(s.number_4 or 0) if s else 0


def _welfare_reads(q: Periods, _table) -> list:
    return [record_rows("welfare_check", WelfareCheck.school_id, ats=(WelfareCheck.raised_at,),
                        texts=(WelfareCheck.outcome,),
                        numbers=(case((WelfareCheck.missing_procedure_started_at.is_not(None), 1), else_=0),))
            .where(WelfareCheck.school_id.in_(q.school_ids), WelfareCheck.archived_at.is_(None),
                   WelfareCheck.raised_at >= q.since(), WelfareCheck.raised_at < q.until())]


def _welfare_figures(q: Periods, rows: dict[str, list]) -> None:
    """Welfare checks raised in the period, by outcome (KCSIE, 4.4)."""
    for r in rows["welfare_check"]:
        for f in q.on(r.school_id, _as_date(r.at_1)):
            f.welfare_checks += 1
            f.welfare_outcomes[r.text_1 or "open"] += 1
            f.not_located += r.number_1


def _monitoring_reads(q: Periods, table) -> list:
    """Review and QA-visit tasks due in each window, and how many were done by their due time, counted in SQL (a
    trust has tens of thousands of tasks); reviews and QA activities held."""
    on_time = case((and_(Task.status == TaskStatus.DONE, Task.completed_at.is_not(None),
                         Task.completed_at <= Task.due_at), 1), else_=0)
    tasks = (record_rows("monitoring_task", Task.school_id, texts=(table.c.key, Task.kind),
                         numbers=(func.count(), func.sum(on_time))).select_from(table)
             .join(Task, and_(of_group(q.groups, table, Task.school_id), Task.due_at >= table.c.since,
                              Task.due_at < table.c.until))
             .where(Task.kind.in_(["half_termly_review", "qa_visit_due"]), Task.status != TaskStatus.CANCELLED)
             .group_by(Task.school_id, table.c.key, Task.kind))
    held = [record_rows(tag, model.school_id, texts=(table.c.key,), numbers=(func.count(),)).select_from(table)
            .join(model, in_window(q.groups, table, model.school_id, model.held_on))
            .where(model.archived_at.is_(None)).group_by(model.school_id, table.c.key)
            for tag, model in (("reviews_held", PlacementReview), ("qa_activities", QAActivity))]
    return [tasks, *held]


def _monitoring_figures(q: Periods, rows: dict[str, list]) -> None:
    """Reviews (8.3) and QA visits (8.1) due in the period, how many were done by their due time, and held."""
    for r in rows["monitoring_task"]:
        f = q.figures[(r.school_id, r.text_1)]
        if r.text_2 == "half_termly_review":
            f.reviews_due, f.reviews_on_time = r.number_1, int(r.number_2 or 0)
        else:
            f.qa_visits_due, f.qa_visits_on_time = r.number_1, int(r.number_2 or 0)
    for attr in ("reviews_held", "qa_activities"):
        for r in rows[attr]:
            setattr(q.figures[(r.school_id, r.text_1)], attr, r.number_1)


def _concern_and_complaint_reads(q: Periods, _table) -> list:
    return [record_rows("provider_concern", ProviderConcern.made_by_school_id, ats=(ProviderConcern.created_at,))
            .where(ProviderConcern.made_by_school_id.in_(q.school_ids), ProviderConcern.archived_at.is_(None),
                   ProviderConcern.created_at >= q.since(), ProviderConcern.created_at < q.until()),
            record_rows("complaint", Complaint.school_id, days=(Complaint.received_on, Complaint.closed_on))
            .where(Complaint.school_id.in_(q.school_ids), Complaint.archived_at.is_(None),
                   or_(and_(Complaint.received_on >= q.earliest, Complaint.received_on <= q.latest),
                       and_(Complaint.closed_on >= q.earliest, Complaint.closed_on <= q.latest)))]


def _concern_and_complaint_figures(q: Periods, rows: dict[str, list]) -> None:
    """Concerns about providers the school raised in the period (7.8); complaints about how the policy was
    applied (11.1), received and closed in the period."""
    for r in rows["provider_concern"]:
        for f in q.on(r.school_id, _as_date(r.at_1)):
            f.provider_concerns += 1
    for r in rows["complaint"]:
        for f in q.on(r.school_id, _as_date(r.day_1)):
            f.extra.setdefault("complaints", Counter())["received"] += 1
        if r.day_2 is not None:
            for f in q.on(r.school_id, _as_date(r.day_2)):
                f.extra.setdefault("complaints", Counter())["closed"] += 1


_SECTIONS = (RecordSection(_welfare_reads, _welfare_figures), RecordSection(_monitoring_reads, _monitoring_figures),
             RecordSection(_concern_and_complaint_reads, _concern_and_complaint_figures))


# Later sections add their figures here (part-time timetables, flexi-schooling): a RecordSection whose count fills
# PeriodFigures.extra. Kept as a list so this module imports none of them.
PERIOD_SECTIONS: list[RecordSection] = []


def _figures_on(figures, by_school, school_id: int, day: dt.date):
    return [figures[(school_id, w.key)] for w in by_school.get(school_id, ()) if w.first_day <= day <= w.last_day]


def _attending_codes() -> list[str]:
    return [c.code for c in REGISTER_CODES.values() if c.counts_as_attendance]


def schools_by_id(ids) -> dict[int, School]:
    return {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(list(ids))))}
