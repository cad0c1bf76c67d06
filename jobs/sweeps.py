"""Sweeps: periodic work done school by school, each inside that school's tenant scope (design invariant 3).

    for each active school:            (listed in one query, calendars loaded in bulk, in a system scope)
        with in_school(id):            (a fresh session, that school's scope only)
            if today is a day the sweep runs for this school (its own calendar, for "school days" sweeps):
                do the work; commit

Every sweep is idempotent: what it makes carries a dedupe key, so running it twice makes nothing twice. One
school failing does not stop the others; the job fails afterwards (naming the schools) so RQ records it.
The work itself lives in the services (`app.services.tasks`); a sweep only says where and when.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import School
from app.services import calendar as calendar_service
from app.services.calendar import calendar_for_schools
from app.services.task_notices import remind_and_escalate
from jobs.context import in_school, in_system
from jobs.schedule import EVERY_DAY, SCHOOL_DAYS, job_for_func

log = logging.getLogger(__name__)


class SweepFailed(RuntimeError):
    """The sweep failed for some schools (the others were done)."""


@dataclass
class SweepReport:
    name: str
    worked: list[int] = field(default_factory=list)  # school ids the work ran for
    skipped: list[int] = field(default_factory=list)  # not one of the sweep's days for that school
    results: dict[int, object] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


def _active_schools() -> list[int]:
    return list(db.session.scalars(select(School.id).where(School.is_active.is_(True)).order_by(School.id)))


def sweep_runs_today(days: str, calendar, today) -> bool:
    """"school days": the school's own calendar says today is one (not a weekend, bank holiday, holiday or
    training day). "weekdays": Monday to Friday. "every day": always."""
    if days == SCHOOL_DAYS:
        return calendar.is_school_day(today)
    return days == EVERY_DAY or today.weekday() < 5


def for_each_school(name: str, days: str, work: Callable) -> SweepReport:
    """Run `work(calendar, today)` for each active school on the sweep's days, in the school's scope; commit
    after each school so one school's work never waits on, or is undone by, another's."""
    report = SweepReport(name)
    with in_system(f"sweep {name}: listing schools and their calendars"):
        school_ids = _active_schools()
        calendars = calendar_for_schools(school_ids)
    today = clock.today()
    for school_id in school_ids:
        calendar = calendars[school_id]
        if not sweep_runs_today(days, calendar, today):
            report.skipped.append(school_id)
            continue
        with in_school(school_id):
            try:
                report.results[school_id] = work(calendar, today)
                db.session.commit()
            except Exception as exc:  # one school's failure must not stop the sweep for the others
                db.session.rollback()
                log.exception("sweep %s failed for school %s", name, school_id)
                report.failed[school_id] = f"{type(exc).__name__}: {exc}"
                continue
        report.worked.append(school_id)
    log.info("sweep %s: worked for %s, skipped %s, failed %s", name, report.worked, report.skipped,
             sorted(report.failed))
    if report.failed:
        raise SweepFailed(f"sweep {name} failed for schools {report.failed}")
    return report


def _days_of(func_name: str) -> str:
    """A sweep runs on the days its row in the schedule says (one table, jobs.schedule)."""
    return job_for_func(f"{__name__}.{func_name}").days


# --- the sweeps (RQ job functions: no arguments, as the schedule enqueues them) ---------------------------------


def calendar_readiness() -> SweepReport:
    """Ask each school's AP leader for the term dates its calendar does not yet cover (30 days ahead)."""
    return for_each_school("calendar-readiness", _days_of("calendar_readiness"),
                           lambda calendar, today: calendar_service.check_calendar_readiness(calendar, today)[1])


def task_reminders() -> SweepReport:
    """Remind before tasks are due, once; escalate overdue tasks one level at a time, each level once."""
    return for_each_school("task-reminders", _days_of("task_reminders"),
                           lambda calendar, today: remind_and_escalate(calendar, clock.now()))
