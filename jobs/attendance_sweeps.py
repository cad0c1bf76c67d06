"""The attendance sweeps (issue 6; policy 4.5; KCSIE): each school day the day's expected sessions are made in the
morning, and every five minutes through the school day the cut-off sweep prompts the attendance officer for
each session past its cut-off still unconfirmed and raises the DSL's welfare checks that are due. The work is
app.services.attendance_prompts; here is only where and when (each school on its own school days)."""
from __future__ import annotations

from app import clock
from app.extensions import db
from app.services.attendance import ensure_expected_sessions
from app.services.attendance_day_counts import roll_up_school
from app.services.attendance_prompts import cutoff_work
from app.services.trust_dashboard import warm_trends
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school
from tenants import require_school_id


def _days(func_name: str) -> str:
    return job_for_func(f"{__name__}.{func_name}").days


def expected_sessions() -> SweepReport:
    """Make the day's expected sessions of every school (the today page shows them from the start of the day)."""
    return for_each_school("attendance-sessions", _days("expected_sessions"),
                           lambda calendar, today: ensure_expected_sessions(calendar, today))


def attendance_cutoffs() -> SweepReport:
    """Prompt for sessions past their cut-off still unconfirmed; raise the welfare checks that are due."""
    return for_each_school("attendance-cutoffs", _days("attendance_cutoffs"),
                           lambda calendar, today: cutoff_work(calendar, today, clock.now()))


def attendance_roll_up() -> SweepReport:
    """Roll up each school's past days of attendance (app.services.attendance_day_counts), for the trends; then
    count the trends' ended half-terms for the day (app.services.figure_cache)."""
    return for_each_school("attendance-roll-up", _days("attendance_roll_up"), _roll_up_and_warm)


def _roll_up_and_warm(calendar, today) -> int:
    days = roll_up_school(today)
    db.session.commit()  # the counts first, so the figures kept below read them
    warm_trends(require_school_id(), calendar, today)
    return days
