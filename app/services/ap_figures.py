"""The figures of the use of AP for periods (issue 16; policy 4.1, 4.2, 8.7): the one source the trust dashboard's
trends, the headteacher's report (page, PDF and API), the governors' view and the trust report all read.

`period_figures(windows)` takes, per school, the periods to count (a half-term, a term, any date range) and
answers every figure for each (school, period) in a fixed number of queries, whatever the number of schools,
periods or years of history: each query joins its rows to a small table of the windows (school, key, days). Aggregates
only: nothing here returns a pupil's name. Runs in one school's scope (its own windows) or in a trust scope.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Date, Integer, String, and_, case, func, literal, or_, select, union_all

from app import clock
from app.extensions import db
from app.models import Placement, PlacementAgreement, Provider, School
from app.models.attendance import AttendanceSession, WelfareCheck
from app.models.monitoring import PlacementReview, QAActivity
from app.models.oversight import Complaint
from app.models.providers import ProviderConcern
from app.models.pupils import Referral
from app.models.tasks import Task, TaskStatus
from app.models.types import UTCDateTime
from app.policy.ap_report import attendance_from_counts, cost_in_period, percentage
from app.policy.attendance import REGISTER_CODES, SessionKind
from app.policy.referral import reason_label
from app.services.attendance_day_counts import live_days, rolled_up
from app.services.attendance_picture import _mark


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


def _window_groups(windows: dict[int, list[Window]]) -> list[tuple[list[int], list[Window]]]:
    """The schools that share the same windows, together (schools normally keep their LA's term dates): the
    queries join to one row per distinct window and name the schools as an IN list, so their size (and SQLAlchemy's
    work to compile them) does not grow with the number of schools."""
    groups: dict[tuple[Window, ...], list[int]] = defaultdict(list)
    for school_id, ws in windows.items():
        groups[tuple(ws)].append(school_id)
    return [(ids, list(ws)) for ws, ids in groups.items()]


def _windows_table(groups):
    """The windows as a small table (grp, key, first_day, last_day, since, until) to join rows to: one SELECT of
    literals per window of each group, UNION ALL (portable to SQLite); `since`/`until` bound the window's days as
    instants. A join lets PostgreSQL range-scan the schools' days on the (school_id, day) index instead of testing
    every row against every window."""
    parts = [select(literal(n, Integer).label("grp"), literal(w.key, String).label("key"),
                    literal(w.first_day, Date).label("first_day"), literal(w.last_day, Date).label("last_day"),
                    literal(_since(w.first_day), UTCDateTime).label("since"),
                    literal(_since(w.last_day + dt.timedelta(days=1)), UTCDateTime).label("until"))
             for n, (_, ws) in enumerate(groups) for w in ws]
    return union_all(*parts).subquery("windows") if len(parts) > 1 else parts[0].subquery("windows")


def _since(day: dt.date) -> dt.datetime:
    return clock.local_datetime(day, dt.time(0))


def _of_group(groups, table, school_col):
    """The row's school is one of the schools of the window's group."""
    if len(groups) == 1:
        return school_col.in_(groups[0][0])
    return or_(*[and_(table.c.grp == n, school_col.in_(ids)) for n, (ids, _) in enumerate(groups)])


def _overlap(groups, school_col, start_col, end_col):
    """Rows whose [start, end] overlaps the span of their school's windows (end None: still running); the caller
    keeps those that run in a window (`_runs_in`)."""
    return or_(*[and_(school_col.in_(ids), start_col <= max(w.last_day for w in ws),
                      or_(end_col.is_(None), end_col >= min(w.first_day for w in ws)))
                 for ids, ws in groups])


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return clock.to_local(value if value.tzinfo else value.replace(tzinfo=dt.UTC)).date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


@dataclass(frozen=True)
class _Query:
    """What every stage of `period_figures` reads: the windows by school, their span and their table."""

    windows: dict[int, list[Window]]
    figures: dict[tuple[int, str], PeriodFigures]
    earliest: dt.date
    latest: dt.date
    groups: list[tuple[list[int], list[Window]]]

    @property
    def school_ids(self) -> list[int]:
        return list(self.windows)

    def since(self):
        return _since(self.earliest)

    def until(self):
        return _since(self.latest + dt.timedelta(days=1))

    def on(self, school_id: int, day: dt.date) -> list[PeriodFigures]:
        return _figures_on(self.figures, self.windows, school_id, day)


def period_figures(windows: dict[int, list[Window]], with_cost: bool = True) -> dict[tuple[int, str], PeriodFigures]:
    """Every figure for every (school id, window key), in a fixed number of queries (see the module).
    `with_cost=False` leaves out the cost (a query per placement's sessions), for the dashboard's trends."""
    figures: dict[tuple[int, str], PeriodFigures] = {
        (school_id, w.key): PeriodFigures() for school_id, ws in windows.items() for w in ws}
    windows = {s: ws for s, ws in windows.items() if ws}
    if not windows:
        return figures
    q = _Query(windows, figures, min(w.first_day for ws in windows.values() for w in ws),
               max(w.last_day for ws in windows.values() for w in ws), _window_groups(windows))
    placement_rows = _placement_figures(q)
    table = _windows_table(q.groups)
    _attendance_figures(q, table)
    if with_cost:
        _cost_figures(q, table, placement_rows)
    else:
        for f in figures.values():
            f.days_in_ap = 0
    _welfare_figures(q)
    _monitoring_figures(q, table)
    _concern_and_complaint_figures(q)
    for hook in PERIOD_SECTIONS:
        hook(windows, figures)
    return figures


def _runs_in(row, w: Window) -> bool:
    return not (row.start_date > w.last_day or (row.ended_on is not None and row.ended_on < w.first_day))


def _placement_figures(q: _Query) -> dict:
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
               _overlap(q.groups, Placement.school_id, Placement.start_date, Placement.ended_on))).all()
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


def _in_window(q: _Query, table):
    return and_(_of_group(q.groups, table, AttendanceSession.school_id), AttendanceSession.day >= table.c.first_day,
                AttendanceSession.day <= table.c.last_day)


def _attendance_figures(q: _Query, table) -> None:
    """Attendance: sessions due, attended and possible (4.5): the counts of the days rolled up, and the sessions
    of the other days counted live (app.services.attendance_day_counts)."""
    rolled, live_ranges = rolled_up(table, lambda school_col: _of_group(q.groups, table, school_col), q.windows)
    live = db.session.execute(
        select(AttendanceSession.school_id, table.c.key, AttendanceSession.register_code, AttendanceSession.kind,
               Placement.arranged_by, func.count())
        .select_from(table).join(AttendanceSession, _in_window(q, table))
        .join(Placement, Placement.id == AttendanceSession.placement_id)
        .where(live_days(AttendanceSession.school_id, AttendanceSession.day, live_ranges))
        .group_by(AttendanceSession.school_id, table.c.key, AttendanceSession.register_code,
                  AttendanceSession.kind, Placement.arranged_by)).all()
    for school_id, key, code, kind, arranged_by, count in rolled + live:
        f = q.figures[(school_id, key)]
        f.sessions_due += count
        kind = SessionKind(kind) if not isinstance(kind, SessionKind) else kind
        code = _mark(None, "am", code, kind, arranged_by).code
        attended, possible = attendance_from_counts({code: count})
        f.attended += attended
        f.possible += possible


def _cost_figures(q: _Query, table, placement_rows: dict) -> None:
    """Days in AP and the cost, from each placement's sessions in each window (7.11)."""
    per_placement = db.session.execute(
        select(AttendanceSession.placement_id, AttendanceSession.school_id, table.c.key, func.count(),
               func.count(func.distinct(AttendanceSession.day)), func.min(AttendanceSession.day),
               func.max(AttendanceSession.day),
               func.sum(case((AttendanceSession.register_code.in_(_attending_codes()), 1), else_=0)))
        .select_from(table).join(AttendanceSession, _in_window(q, table))
        .where(AttendanceSession.kind == SessionKind.PROVISION)
        .group_by(AttendanceSession.placement_id, AttendanceSession.school_id, table.c.key)).all()
    sessions_of = {(r[0], r[2]): r for r in per_placement}
    for f in q.figures.values():
        f.days_in_ap = 0
    for (_placement_id, key), r in sessions_of.items():
        q.figures[(r[1], key)].days_in_ap += r[4]
    for row in placement_rows.values():
        for win in q.windows[row.school_id]:
            if _runs_in(row, win):
                _cost_placement(q.figures[(row.school_id, win.key)], row, win, sessions_of.get((row.id, win.key)))


def _cost_placement(f: PeriodFigures, row, win: Window, s) -> None:
    cost = cost_in_period(row.cost_amount, getattr(row.cost_unit, "value", row.cost_unit),
                          s[3] if s else 0, s[4] if s else 0, _as_date(s[5]) if s else None,
                          _as_date(s[6]) if s else None, win.first_day <= row.start_date <= win.last_day)
    if cost is None:
        return
    f.cost += cost
    f.costed_placements += 1
    f.cost_by_provider[row.name] += cost
    f.attended_by_provider[row.name] += int(s[7] or 0) if s else 0


def _welfare_figures(q: _Query) -> None:
    """Welfare checks raised in the period, by outcome (KCSIE, 4.4)."""
    for school_id, raised_at, outcome, missing in db.session.execute(
            select(WelfareCheck.school_id, WelfareCheck.raised_at, WelfareCheck.outcome,
                   WelfareCheck.missing_procedure_started_at)
            .where(WelfareCheck.school_id.in_(q.school_ids), WelfareCheck.archived_at.is_(None),
                   WelfareCheck.raised_at >= q.since(), WelfareCheck.raised_at < q.until())):
        for f in q.on(school_id, _as_date(raised_at)):
            f.welfare_checks += 1
            f.welfare_outcomes[outcome.value if outcome else "open"] += 1
            f.not_located += missing is not None


def _monitoring_figures(q: _Query, table) -> None:
    """Reviews (8.3) and QA visits (8.1) due in the period, how many were done by their due time, and held:
    counted in SQL (a trust has tens of thousands of tasks)."""
    on_time = case((and_(Task.status == TaskStatus.DONE, Task.completed_at.is_not(None),
                         Task.completed_at <= Task.due_at), 1), else_=0)
    for school_id, key, kind, due, done in db.session.execute(
            select(Task.school_id, table.c.key, Task.kind, func.count(), func.sum(on_time)).select_from(table)
            .join(Task, and_(_of_group(q.groups, table, Task.school_id), Task.due_at >= table.c.since,
                             Task.due_at < table.c.until))
            .where(Task.kind.in_(["half_termly_review", "qa_visit_due"]), Task.status != TaskStatus.CANCELLED)
            .group_by(Task.school_id, table.c.key, Task.kind)):
        f = q.figures[(school_id, key)]
        if kind == "half_termly_review":
            f.reviews_due, f.reviews_on_time = due, int(done or 0)
        else:
            f.qa_visits_due, f.qa_visits_on_time = due, int(done or 0)
    held = union_all(*[  # one statement for both records held
        select(model.school_id, table.c.key, literal(attr, String).label("attr"), func.count()).select_from(table)
        .join(model, and_(_of_group(q.groups, table, model.school_id), model.held_on >= table.c.first_day,
                          model.held_on <= table.c.last_day))
        .where(model.archived_at.is_(None)).group_by(model.school_id, table.c.key)
        for model, attr in ((PlacementReview, "reviews_held"), (QAActivity, "qa_activities"))])
    for school_id, key, attr, count in db.session.execute(select(held.subquery())):
        setattr(q.figures[(school_id, key)], attr, count)


def _concern_and_complaint_figures(q: _Query) -> None:
    """Concerns about providers the school raised in the period (7.8); complaints about how the policy was
    applied (11.1), received and closed in the period."""
    for school_id, created_at in db.session.execute(
            select(ProviderConcern.made_by_school_id, ProviderConcern.created_at)
            .where(ProviderConcern.made_by_school_id.in_(q.school_ids), ProviderConcern.archived_at.is_(None),
                   ProviderConcern.created_at >= q.since(), ProviderConcern.created_at < q.until())):
        for f in q.on(school_id, _as_date(created_at)):
            f.provider_concerns += 1
    for school_id, received_on, closed_on in db.session.execute(
            select(Complaint.school_id, Complaint.received_on, Complaint.closed_on)
            .where(Complaint.school_id.in_(q.school_ids), Complaint.archived_at.is_(None),
                   or_(and_(Complaint.received_on >= q.earliest, Complaint.received_on <= q.latest),
                       and_(Complaint.closed_on >= q.earliest, Complaint.closed_on <= q.latest)))):
        for f in q.on(school_id, _as_date(received_on)):
            f.extra.setdefault("complaints", Counter())["received"] += 1
        if closed_on is not None:
            for f in q.on(school_id, _as_date(closed_on)):
                f.extra.setdefault("complaints", Counter())["closed"] += 1


# Later sections add their figures here (complaints, part-time timetables, flexi-schooling): a function
# (windows, figures) -> None that fills PeriodFigures.extra. Kept as a list so this module imports none of them.
PERIOD_SECTIONS: list = []


def _figures_on(figures, by_school, school_id: int, day: dt.date):
    return [figures[(school_id, w.key)] for w in by_school.get(school_id, ()) if w.first_day <= day <= w.last_day]


def _attending_codes() -> list[str]:
    return [c.code for c in REGISTER_CODES.values() if c.counts_as_attendance]


def schools_by_id(ids) -> dict[int, School]:
    return {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(list(ids))))}
