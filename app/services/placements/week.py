"""The pupil's week (7.3), a placement's cost, and the trust's cross-school view."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import CostUnit, Placement, PlacementStatus, Provider, Pupil, School, SessionOfDay, WeeklySession
from app.policy.school_age import full_time_hours, key_stage
from app.school_calendar import SchoolCalendar

from .base import OPEN_STATUSES
from .readiness import _calendar
from .records import placements_of_pupil

# --- the pupil's week (7.3) and cost -------------------------------------------------------------------------


@dataclass
class WeekCell:
    weekday: int
    session: str
    at_provision: list[tuple[Placement, WeeklySession]]

    @property
    def at_school(self) -> bool:
        return not self.at_provision


@dataclass
class PupilWeek:
    pupil: Pupil
    cells: list[WeekCell]  # Monday AM, Monday PM, ... Friday PM
    provision_hours: float
    school_session_hours: float  # the benchmark's hours per school session
    school_sessions: int
    full_time_hours: float | None
    key_stage: str | None

    @property
    def school_hours(self) -> float:
        return round(self.school_sessions * self.school_session_hours, 2)

    @property
    def total_hours(self) -> float:
        return round(self.provision_hours + self.school_hours, 2)

    @property
    def is_part_time(self) -> bool:
        """Below the full-time benchmark for the pupil's key stage: a part-time arrangement (statutory-facts)."""
        return self.full_time_hours is not None and self.total_hours < self.full_time_hours

    def row(self, weekday: int) -> list[WeekCell]:
        return self.cells[weekday * 2: weekday * 2 + 2]


def pupil_week(pupil: Pupil) -> PupilWeek:
    """The whole week of a pupil (7.3): every planned and active placement's sessions, Monday to Friday, AM and
    PM, and school for the sessions left. A school session counts as a tenth of the full-time benchmark for the
    pupil's year (there is no part-time timetable record yet: every session not at a provision is at school)."""
    placements = [p for p in placements_of_pupil(pupil) if p.status in OPEN_STATUSES]
    cells = [WeekCell(d, s.value, []) for d in range(5) for s in SessionOfDay]
    for placement in placements:
        for ws in placement.weekly_sessions:
            cells[ws.weekday * 2 + (0 if ws.session == SessionOfDay.AM else 1)].at_provision.append((placement, ws))
    full_time = full_time_hours(pupil.year_group)
    per_session = round(full_time / 10, 2) if full_time else 0.0
    provision = round(sum(ws.hours for c in cells for _, ws in c.at_provision), 2)
    return PupilWeek(pupil=pupil, cells=cells, provision_hours=provision, school_session_hours=per_session,
                     school_sessions=sum(1 for c in cells if c.at_school), full_time_hours=full_time,
                     key_stage=key_stage(pupil.year_group))


@dataclass
class CostSummary:
    unit: CostUnit | None
    amount: Decimal | None
    per_week: Decimal | None
    sessions_to_date: int
    days_to_date: int
    to_date: Decimal | None


def placement_cost(placement: Placement, today: dt.date | None = None,
                   calendar: SchoolCalendar | None = None) -> CostSummary:
    """7.11 cost: per session, day or week, and the total to date — sessions held on school days from the start
    to today (or the end), by the school's calendar. Nothing is counted before the placement starts."""
    today = today or clock.today()
    agreement = placement.agreement
    amount = agreement.cost_amount if agreement else None
    unit = CostUnit(agreement.cost_unit) if agreement and agreement.cost_unit else None
    by_day: dict[int, int] = {}
    for ws in placement.weekly_sessions:
        by_day[ws.weekday] = by_day.get(ws.weekday, 0) + 1
    sessions = days = 0
    weeks: set[tuple[int, int]] = set()
    half_terms: set = set()
    if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.ENDED):
        last = min(today, placement.ended_on or today)
        calendar = calendar or _calendar()
        for day in calendar.school_days_between(placement.start_date, last):
            if day.weekday() in by_day:
                sessions += by_day[day.weekday()]
                days += 1
                weeks.add(day.isocalendar()[:2])
                half_terms.add(calendar.half_term_for(day))
    per_week = to_date = None
    if amount is not None and unit is not None:
        per_week = {CostUnit.SESSION: amount * sum(by_day.values()), CostUnit.DAY: amount * len(by_day),
                    CostUnit.WEEK: amount}.get(unit)
        to_date = {CostUnit.SESSION: amount * sessions, CostUnit.DAY: amount * days,
                   CostUnit.WEEK: amount * len(weeks), CostUnit.TERM: amount * len({(h.academic_year, h.term)
                                                                                    for h in half_terms if h}),
                   CostUnit.PLACEMENT: amount if sessions else Decimal("0")}[unit]
    return CostSummary(unit=unit, amount=amount, per_week=per_week, sessions_to_date=sessions, days_to_date=days,
                       to_date=to_date)


# --- the trust's cross-school view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustPlacementLine:
    school: str
    pupil_initials: str
    year_group: int
    provider: str
    start_date: dt.date
    status: str
    is_off_site_direction: bool
    has_ehcp: bool
    is_looked_after: bool


TRUST_PLACEMENTS_PAGE_SIZE = 100


@dataclass(frozen=True)
class TrustPlacementsPage:
    lines: list[TrustPlacementLine]
    schools: list[tuple[int, str, int]]  # (id, name, open placements) of each school that has any
    school_id: int | None  # the school filtered on, or None for every school
    total: int  # open placements shown across the pages
    page: int
    pages: int


def trust_placements(school_id: int | None = None, page: int = 1) -> TrustPlacementsPage:
    """Every planned and active placement in every school (or one), a page at a time: pupil initials and year
    only (the trust safeguarding lead's view). Two queries: the counts by school, then one page of rows; the
    page was every one of 3,000 rows, 466 KB, on every view (issue 18). Call inside a trust scope."""
    open_placement = (Placement.status.in_(OPEN_STATUSES), Placement.archived_at.is_(None))
    schools = [(sid, name, n) for sid, name, n in db.session.execute(
        select(School.id, School.name, func.count(Placement.id)).join(Placement, Placement.school_id == School.id)
        .where(*open_placement).group_by(School.id, School.name).order_by(School.name, School.id))]
    if school_id not in {sid for sid, _, _ in schools}:
        school_id = None
    total = sum(n for sid, _, n in schools if school_id is None or sid == school_id)
    pages = max(1, -(-total // TRUST_PLACEMENTS_PAGE_SIZE))
    page = min(max(1, page), pages)
    query = (select(School.name, Pupil.first_name, Pupil.last_name, Pupil.year_group, Provider.name,
                    Placement.start_date, Placement.status, Placement.is_off_site_direction, Pupil.has_ehcp,
                    Pupil.is_looked_after)
             .join(Pupil, Pupil.id == Placement.pupil_id).join(Provider, Provider.id == Placement.provider_id)
             .join(School, School.id == Placement.school_id).where(*open_placement)
             .order_by(School.name, Placement.start_date, Placement.id)
             .offset((page - 1) * TRUST_PLACEMENTS_PAGE_SIZE).limit(TRUST_PLACEMENTS_PAGE_SIZE))
    if school_id is not None:
        query = query.where(Placement.school_id == school_id)
    lines = [TrustPlacementLine(school=s, pupil_initials=f"{first[:1]}{last[:1]}".upper(), year_group=year,
                                provider=provider, start_date=start, status=PlacementStatus(status).value,
                                is_off_site_direction=directed, has_ehcp=ehcp, is_looked_after=lac)
             for s, first, last, year, provider, start, status, directed, ehcp, lac in db.session.execute(query)]
    return TrustPlacementsPage(lines=lines, schools=schools, school_id=school_id, total=total, page=page,
                               pages=pages)
