"""Each school's calendar: loading it into a `SchoolCalendar` (one school or many), and entering its dates.

Loading: `calendar_for_school()` in a school scope (a request or a job in `jobs.context.in_school`);
`calendar_for_schools(ids)` for sweeps, in a system scope, in one statement however many schools there are.
Editing: each function checks the dates first (rules in `app.school_calendar`) and returns the problems by form
field; only a change with no problem is written, in one commit.
Readiness: the sweep's check that the calendar reaches 30 days ahead, and the AP leader's task when it does not
(entering the dates completes it).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g, has_request_context, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term, TrainingDay, User
from app.models.tasks import Task, TaskStatus
from app.policy.task_kinds import END_OF_SCHOOL_DAY, TaskKind, _school_days_after
from app.school_calendar import (
    TERMS,
    DayDescription,
    HalfTermDates,
    SchoolCalendar,
    academic_year_label,
    academic_year_of,
    bank_holidays_between,
    half_term_problems,
    training_day_problem,
)
from app.services.figure_rows import read_rows, record_rows
from app.services.tasks import complete_task, ensure_task
from tenants.access import school_record_or_404
from tenants.context import ScopeKind, TenantScopeError, current_scope, require_school_id

# --- loading ------------------------------------------------------------------------------------------------


def _dates_of(row: HalfTerm) -> HalfTermDates:
    return HalfTermDates(row.academic_year, Term(row.term).value, row.part, row.first_day, row.last_day, id=row.id)


def calendar_for_school(school_id: int | None = None) -> SchoolCalendar:
    """The calendar of the current school (or of `school_id`, which in a school scope must be that school)."""
    if school_id is None:
        school_id = require_school_id()
    return calendar_for_schools([school_id])[school_id]


def calendar_for_schools(school_ids: Iterable[int]) -> dict[int, SchoolCalendar]:
    """Calendars for many schools in one statement, keyed by school id (a school with nothing entered gets an
    empty calendar). Filters by the ids given, so a system scope reads exactly these schools."""
    ids = sorted(set(school_ids))
    scope = current_scope()
    if scope is not None and scope.kind is ScopeKind.SCHOOL and any(i != scope.school_id for i in ids):
        # Inside one school's scope the other calendars would silently come back empty.
        raise TenantScopeError("another school's calendar was asked for inside a school scope; use system_scope()")
    cached = _calendars_read_in_this_request()
    wanted = [i for i in ids if i not in cached]
    if wanted:
        cached.update(_load_calendars(wanted))
    return {i: cached[i] for i in ids}


def _calendars_read_in_this_request() -> dict[int, SchoolCalendar]:
    """Calendars already read by this GET request: its dashboard's cards each asked for the school's calendar
    (three times two queries, issue 18). Only a GET, which changes no dates; elsewhere nothing is kept."""
    if has_request_context() and request.method in ("GET", "HEAD"):
        return g.setdefault("_school_calendars", {})
    return {}


def _load_calendars(ids: list[int]) -> dict[int, SchoolCalendar]:
    """The half-terms and training days of these schools in one statement (a UNION ALL: two before, issue 18)."""
    half_terms: dict[int, list[HalfTermDates]] = {i: [] for i in ids}
    training_days: dict[int, list[dt.date]] = {i: [] for i in ids}
    if ids:
        rows = read_rows([
            record_rows("half_term", HalfTerm.school_id, days=(HalfTerm.first_day, HalfTerm.last_day),
                        texts=(HalfTerm.term,), numbers=(HalfTerm.id, HalfTerm.academic_year, HalfTerm.part))
            .where(HalfTerm.school_id.in_(ids)),
            record_rows("training_day", TrainingDay.school_id, days=(TrainingDay.day,))
            .where(TrainingDay.school_id.in_(ids))])
        for r in rows["half_term"]:
            half_terms[r.school_id].append(
                HalfTermDates(r.number_2, Term(r.text_1).value, r.number_3, r.day_1, r.day_2, id=r.number_1))
        for r in rows["training_day"]:
            training_days[r.school_id].append(r.day_1)
    return {i: SchoolCalendar(half_terms[i], training_days[i]) for i in ids}


# --- the calendar page --------------------------------------------------------------------------------------


@dataclass
class HalfTermLine:
    half_term: HalfTermDates
    school_days: int


@dataclass
class YearLine:
    academic_year: int
    label: str
    half_terms: list[HalfTermLine]

    @property
    def school_days(self) -> int:
        return sum(line.school_days for line in self.half_terms)


@dataclass
class TrainingDayLine:
    training_day: TrainingDay
    half_term: HalfTermDates | None


@dataclass
class BankHolidayLine:
    day: dt.date
    name: str
    half_term: HalfTermDates


@dataclass
class CalendarOverview:
    today: DayDescription
    next_half_term: HalfTermDates | None
    years: list[YearLine]
    training_days: list[TrainingDayLine]
    bank_holidays_in_term: list[BankHolidayLine]


def calendar_overview(today: dt.date) -> CalendarOverview:
    """What the calendar page shows: this school year and the next, for the current school."""
    require_school_id()
    half_term_rows = list(db.session.scalars(select(HalfTerm).order_by(HalfTerm.first_day)))
    training_rows = list(db.session.scalars(select(TrainingDay).order_by(TrainingDay.day)))
    calendar = SchoolCalendar([_dates_of(r) for r in half_term_rows], [t.day for t in training_rows])
    this_year = academic_year_of(today)
    years = []
    for year in (this_year, this_year + 1):
        lines = [HalfTermLine(h, calendar.school_day_count(h)) for h in calendar.half_terms_of_year(year)]
        years.append(YearLine(year, academic_year_label(year), lines))
    shown = [line.half_term for year in years for line in year.half_terms]
    bank_holidays = [
        BankHolidayLine(day, name, h)
        for h in shown
        for day, name in bank_holidays_between(h.first_day, h.last_day)
        if day.weekday() < 5
    ]
    training = [TrainingDayLine(t, calendar.half_term_for(t.day)) for t in training_rows
                if academic_year_of(t.day) in (this_year, this_year + 1)]
    return CalendarOverview(
        today=calendar.describe(today),
        next_half_term=calendar.next_half_term(today),
        years=years,
        training_days=training,
        bank_holidays_in_term=bank_holidays,
    )


# --- entering dates -----------------------------------------------------------------------------------------


@dataclass
class EditResult:
    """The saved record, or the problems by form field (and then nothing was written)."""

    record: object | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def access_half_term(half_term_id: int) -> HalfTerm:
    """A half-term of the current school, or 404 (another school's id is not found, never forbidden)."""
    return school_record_or_404(HalfTerm, half_term_id)


def access_training_day(training_day_id: int) -> TrainingDay:
    return school_record_or_404(TrainingDay, training_day_id)


def _stranded_training_days(calendar: SchoolCalendar, removed: HalfTermDates | None,
                            replacement: HalfTermDates | None) -> list[dt.date]:
    """Training days that would be outside every half-term once `removed` gives way to `replacement`."""
    remaining = [h for h in calendar.half_terms if removed is None or h.id != removed.id]
    if replacement is not None:
        remaining.append(replacement)
    after = SchoolCalendar(remaining)
    return sorted(d for d in calendar.training_days if after.half_term_for(d) is None)


def _half_term_errors(calendar: SchoolCalendar, candidate: HalfTermDates,
                      existing: HalfTermDates | None) -> dict[str, str]:
    others = [h for h in calendar.half_terms if existing is None or h.id != existing.id]
    errors = half_term_problems(candidate, others)
    if not errors and existing is not None:
        stranded = _stranded_training_days(calendar, existing, candidate)
        if stranded:
            errors["first_day" if stranded[0] < candidate.first_day else "last_day"] = (
                f"The training day on {stranded[0]:%a %-d %b %Y} would be outside every half-term: "
                "remove it first, or keep it inside these dates.")
    return errors


def _commit(record, errors_on: str, message: str, settle_tasks_for: User | None = None) -> EditResult:
    """Write the change; with dates entered, also close the calendar tasks they answer (who entered them is
    who completed the task), in the same transaction."""
    try:
        db.session.flush()
        if settle_tasks_for is not None:
            settle_calendar_tasks(settle_tasks_for)
        db.session.commit()
    except IntegrityError:
        # Two people saving the same half-term or day at once: the database keeps the first.
        db.session.rollback()
        return EditResult(errors={errors_on: message})
    return EditResult(record=record)


def add_half_term(candidate: HalfTermDates, by: User) -> EditResult:
    calendar = calendar_for_school()
    errors = _half_term_errors(calendar, candidate, None)
    if errors:
        return EditResult(errors=errors)
    half_term = HalfTerm(school_id=require_school_id(), academic_year=candidate.academic_year,
                         term=Term(candidate.term), part=candidate.part, first_day=candidate.first_day,
                         last_day=candidate.last_day)
    db.session.add(half_term)
    return _commit(half_term, "half_term", f"{candidate} is already entered: change its dates instead.", by)


def update_half_term(half_term: HalfTerm, candidate: HalfTermDates, by: User) -> EditResult:
    calendar = calendar_for_school()
    errors = _half_term_errors(calendar, candidate, _dates_of(half_term))
    if errors:
        return EditResult(errors=errors)
    half_term.academic_year = candidate.academic_year
    half_term.term = Term(candidate.term)
    half_term.part = candidate.part
    half_term.first_day = candidate.first_day
    half_term.last_day = candidate.last_day
    return _commit(half_term, "half_term", f"{candidate} is already entered: change its dates instead.", by)


def remove_half_term(half_term: HalfTerm) -> EditResult:
    """Take out a half-term entered by mistake. The audit trail keeps what it was. Refused while training days
    inside it would be left outside every half-term."""
    calendar = calendar_for_school()
    stranded = _stranded_training_days(calendar, _dates_of(half_term), None)
    if stranded:
        return EditResult(errors={"half_term": f"The training day on {stranded[0]:%a %-d %b %Y} is inside "
                                               f"{half_term}: remove it first."})
    db.session.delete(half_term)
    return _commit(None, "half_term", f"{half_term} is in use by other records and cannot be removed.")


def add_training_day(day: dt.date, note: str | None) -> EditResult:
    note = (note or "").strip() or None
    if note is not None and len(note) > 200:
        return EditResult(errors={"note": "The note must be 200 characters or fewer."})
    problem = training_day_problem(day, calendar_for_school())
    if problem:
        return EditResult(errors={"day": problem})
    training_day = TrainingDay(school_id=require_school_id(), day=day, note=note)
    db.session.add(training_day)
    return _commit(training_day, "day", f"{day:%A %-d %B %Y} is already a training day.")


def remove_training_day(training_day: TrainingDay) -> None:
    """A plain delete: a training day is not a safeguarding record, and the audit trail keeps what it was."""
    db.session.delete(training_day)
    db.session.commit()


# --- the sweeps' work for one school (jobs.sweeps calls these inside the school's scope) -----------------------

# The calendar must reach this far ahead: reviews, reminders and attendance count school days from it.
CALENDAR_HORIZON = timedelta(days=30)
CALENDAR_TASK_SCHOOL_DAYS = 10


@dataclass(frozen=True)
class CalendarNeed:
    """What the AP leader is asked to enter; the key names the missing academic year or half-term."""

    dedupe_key: str
    title: str


def calendar_need(calendar, today: date) -> CalendarNeed | None:
    """Does the school's calendar reach 30 days ahead? If not, name what to enter next: the whole school year
    when none (or none of the next year) is entered, else the half-term after the last one entered."""
    last_day = calendar.last_entered_day
    if last_day is not None and last_day >= today + CALENDAR_HORIZON:
        return None
    if not calendar.half_terms:
        year, term, part = academic_year_of(today), 0, 1
    else:
        year, term, part = max(h.sequence for h in calendar.half_terms)
        if part == 1:
            part = 2
        elif term + 1 < len(TERMS):
            term, part = term + 1, 1
        else:
            year, term, part = year + 1, 0, 1
    label = academic_year_label(year)
    if (term, part) == (0, 1):
        return CalendarNeed(f"calendar-needed:{label}", f"Enter the {label} term dates")
    name = f"{TERMS[term].title()} {part}"
    return CalendarNeed(f"calendar-needed:{label}:{TERMS[term]}-{part}", f"Enter the dates of {name} {label}")


def check_calendar_readiness(calendar, today: date) -> tuple[Task | None, bool]:
    """The calendar readiness sweep for the current school: settle the calendar tasks whose dates are now
    entered, and ask for what is still missing (one task per missing year or half-term, due in 10 school
    days). Returns (the open task or None, whether it was made now)."""
    school_id = require_school_id()
    need = calendar_need(calendar, today)
    settle_calendar_tasks(None, calendar, today)
    if need is None:
        return None, False
    due_day = _school_days_after(today, CALENDAR_TASK_SCHOOL_DAYS, calendar.nth_school_day_after)
    last_day = calendar.last_entered_day
    detail = (f"The school calendar has dates up to {last_day:%A %-d %B %Y}. " if last_day
              else "The school calendar has no term dates yet. ")
    detail += ("AP Hub counts school days from it for attendance, welfare checks, reviews and reminders: "
               "enter the next dates before it runs out.")
    return ensure_task(TaskKind.CALENDAR_NEEDED, need.dedupe_key, need.title,
                       clock.local_datetime(due_day, END_OF_SCHOOL_DAY), subject=("school", school_id),
                       link=("calendar.new_half_term", {}), detail=detail)


def settle_calendar_tasks(user: User | None, calendar=None, today: date | None = None) -> int:
    """Acting on the calendar completes its tasks: close the current school's open calendar tasks whose dates
    are now entered (a task asked for something other than what is still missing). The calendar service calls
    this after saving dates, with the person who entered them; the sweep calls it with nobody."""
    if calendar is None:
        calendar = calendar_for_school()
    need = calendar_need(calendar, today or clock.today())
    met = db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.kind == TaskKind.CALENDAR_NEEDED.value,
        Task.status == TaskStatus.OPEN,
        *([Task.dedupe_key != need.dedupe_key] if need else []),
    )).all()
    for task in met:
        complete_task(task, user)
    return len(met)
