"""The part-time timetable sweep (issue 15; policy 9.6, 9.7): each school day, early, each school's timetables
past their end date return to full time, review tasks on the agreed dates, the six-week flag, the day's welfare
checks where the timetable gives no on-site session, and any scheduled LA return (idempotent: dedupe keys)."""
from __future__ import annotations

from app.services.part_time_sweep import daily_sweep
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school


def part_time_timetables() -> SweepReport:
    days = job_for_func(f"{__name__}.part_time_timetables").days
    return for_each_school("part-time-timetables", days, daily_sweep)
