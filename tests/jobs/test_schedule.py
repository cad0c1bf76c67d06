"""The periodic schedule as data, and `due_runs`: which runs fall between two ticks, in England's local time."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.clock import SCHOOL_TZ, to_local
from jobs.connection import EMAIL, SWEEPS, WEBHOOKS
from jobs.schedule import (
    EVERY_DAY,
    MONDAYS,
    PERIODIC_JOBS,
    SCHOOL_DAYS,
    WEEKDAYS,
    PeriodicJob,
    due_runs,
    job_named,
    next_run,
    schedule_lines,
)

UTC = UTC


def local(text: str) -> datetime:
    """A wall-clock time in England as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def daily(at: time, days: str = EVERY_DAY, name: str = "daily") -> PeriodicJob:
    return PeriodicJob(name, "jobs.sweeps.calendar_readiness", SWEEPS, "test", days=days, at=at)


def ticking(jobs, start: datetime, end: datetime, every: timedelta = timedelta(minutes=1)):
    """Every run a runner ticking at this interval would enqueue from start to end."""
    runs, last = [], start
    while last < end:
        now = min(last + every, end)
        runs.extend(due_runs(jobs, last, now))
        last = now
    return runs


def test_the_table_covers_this_issue():
    assert {j.name: (j.func, j.queue, j.at, j.every, j.days) for j in PERIODIC_JOBS} == {
        "outbox-dispatch": ("jobs.outbox.dispatch_outbox", EMAIL, None, timedelta(minutes=1), EVERY_DAY),
        "daily-digests": ("jobs.outbox.send_daily_digests", EMAIL, time(7, 0), None, WEEKDAYS),
        "webhooks-dispatch": ("jobs.webhook_deliveries.dispatch_webhooks", WEBHOOKS, None, timedelta(minutes=1),
                              EVERY_DAY),
        "calendar-readiness": ("jobs.sweeps.calendar_readiness", SWEEPS, time(6, 30), None, WEEKDAYS),
        "task-reminders": ("jobs.sweeps.task_reminders", SWEEPS, None, timedelta(minutes=15), SCHOOL_DAYS),
        "provider-vetting": ("jobs.provider_sweeps.provider_vetting_expiry", SWEEPS, time(18, 30), None, WEEKDAYS),
        "registration-verdicts": ("jobs.provider_sweeps.registration_verdicts", SWEEPS, time(6, 0), None, EVERY_DAY),
        "attendance-sessions": ("jobs.attendance_sweeps.expected_sessions", SWEEPS, time(7, 30), None, SCHOOL_DAYS),
        "attendance-cutoffs": ("jobs.attendance_sweeps.attendance_cutoffs", SWEEPS, None, timedelta(minutes=5),
                               SCHOOL_DAYS),
        # Issue 16's trends: past days' attendance counted once, in the night (app.services.attendance_day_counts).
        "attendance-roll-up": ("jobs.attendance_sweeps.attendance_roll_up", SWEEPS, time(2, 0), None, EVERY_DAY),
        "half-termly-reviews": ("jobs.review_sweeps.half_termly_reviews", SWEEPS, time(6, 45), None, SCHOOL_DAYS),
        "qa-visits-due": ("jobs.qa_sweeps.qa_visits_due", SWEEPS, time(6, 50), None, SCHOOL_DAYS),
        "policy-review": ("jobs.oversight_sweeps.policy_review_reminders", SWEEPS, time(7, 5), None, WEEKDAYS),
        "part-time-timetables": ("jobs.part_time_sweeps.part_time_timetables", SWEEPS, time(7, 35), None,
                                 SCHOOL_DAYS),
        "retention-review": ("jobs.retention_sweeps.retention_review", SWEEPS, time(5, 30), None, MONDAYS),
        "flexi-schooling-reviews": ("jobs.flexi_sweeps.flexi_schooling_reviews", SWEEPS, time(6, 55), None,
                                    SCHOOL_DAYS),
    }
    assert job_named("attendance-cutoffs").between == (time(8), time(19))  # issue 6: through the school day
    assert job_named("task-reminders").between == (time(7), time(19))  # emails in working hours only
    assert len({j.name for j in PERIODIC_JOBS}) == len(PERIODIC_JOBS)


def test_the_weekly_retention_review_runs_on_mondays_only():
    runs = due_runs([job_named("retention-review")], local("2026-11-29 00:00"), local("2026-12-13 00:00"))
    assert [to_local(r.slot).strftime("%a %d %H:%M") for r in runs] == ["Mon 30 05:30", "Mon 07 05:30"]


def test_every_job_function_exists():
    from rq.utils import import_attribute

    for job in PERIODIC_JOBS:
        assert callable(import_attribute(job.func)), job.func


@pytest.mark.parametrize("kwargs, message", [
    ({}, "exactly one of"),
    ({"at": time(7), "every": timedelta(minutes=5)}, "exactly one of"),
    ({"at": time(7), "days": "fortnightly"}, "days must be one of"),
    ({"every": timedelta(minutes=7)}, "divide a day"),
    ({"every": timedelta(seconds=30)}, "at least a minute"),
    ({"at": time(7), "between": (time(8), time(9))}, "for interval jobs"),
])
def test_a_badly_declared_job_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PeriodicJob("bad", "jobs.sweeps.task_reminders", SWEEPS, "test", **kwargs)


@pytest.mark.parametrize("day", ["2026-03-29", "2026-10-25"])  # the clocks go forward; the clocks go back
def test_a_seven_oclock_job_runs_once_at_seven_local_on_the_days_the_clocks_change(day):
    job = daily(time(7, 0))
    start = local(f"{day} 00:00")
    runs = ticking([job], start, start + timedelta(hours=24))
    assert [r.slot.astimezone(SCHOOL_TZ).strftime("%Y-%m-%d %H:%M") for r in runs] == [f"{day} 07:00"]


def test_the_utc_instant_moves_with_bst():
    job = daily(time(7, 0))
    runs = due_runs([job], local("2026-03-27 12:00"), local("2026-03-30 12:00"))
    # 07:00 GMT on Saturday is 07:00 UTC; from Sunday 07:00 BST is 06:00 UTC.
    assert [r.slot for r in runs] == [utc("2026-03-28 07:00"), utc("2026-03-29 06:00"), utc("2026-03-30 06:00")]
    runs = due_runs([job], local("2026-10-24 12:00"), local("2026-10-26 12:00"))
    assert [r.slot for r in runs] == [utc("2026-10-25 07:00"), utc("2026-10-26 07:00")]


@pytest.mark.parametrize("day, at", [
    ("2026-03-29", time(1, 30)),  # does not exist that night: runs once, at 02:30 BST
    ("2026-10-25", time(1, 30)),  # happens twice that night: runs once, the first time
])
def test_a_job_in_the_hour_the_clocks_change_runs_once(day, at):
    start = local(f"{day} 00:00")
    runs = ticking([daily(at)], start, start + timedelta(hours=24))
    assert len(runs) == 1


def test_weekday_and_school_day_jobs_skip_the_weekend():
    weekdays, school_days, every_day = (daily(time(7), WEEKDAYS, "w"), daily(time(7), SCHOOL_DAYS, "s"),
                                        daily(time(7), EVERY_DAY, "e"))
    runs = due_runs([weekdays, school_days, every_day], local("2026-03-13 06:00"), local("2026-03-16 08:00"))
    by_job = {}
    for r in runs:
        by_job.setdefault(r.job.name, []).append(r.slot.astimezone(SCHOOL_TZ).strftime("%a %d"))
    assert by_job == {"w": ["Fri 13", "Mon 16"], "s": ["Fri 13", "Mon 16"],
                      "e": ["Fri 13", "Sat 14", "Sun 15", "Mon 16"]}


def test_school_day_jobs_are_enqueued_on_a_bank_holiday_and_the_sweep_decides():
    # The runner does not know each school's calendar: a bank holiday Monday is a weekday to it, and the sweep
    # then does nothing for any school (tests/jobs/test_sweeps.py).
    runs = due_runs([daily(time(7), SCHOOL_DAYS)], local("2026-05-04 00:00"), local("2026-05-04 23:00"))
    assert len(runs) == 1


def test_nothing_is_due_twice_for_the_same_interval():
    job = daily(time(6, 30))
    assert due_runs([job], local("2026-03-10 06:00"), local("2026-03-10 06:30")) != []
    assert due_runs([job], local("2026-03-10 06:30"), local("2026-03-10 07:00")) == []
    assert due_runs([job], local("2026-03-10 07:00"), local("2026-03-10 07:00")) == []


def test_interval_jobs_run_on_their_slots():
    job = job_named("task-reminders")
    runs = ticking([job], local("2026-03-10 09:00"), local("2026-03-10 10:00"), every=timedelta(seconds=10))
    assert [r.slot.astimezone(SCHOOL_TZ).strftime("%H:%M") for r in runs] == ["09:15", "09:30", "09:45", "10:00"]


def test_an_interval_job_that_missed_slots_runs_once_for_all_of_them():
    job = job_named("outbox-dispatch")
    runs = due_runs([job], local("2026-03-10 09:00:30"), local("2026-03-10 11:00:30"))
    assert [r.slot for r in runs] == [local("2026-03-10 11:00")]


def test_interval_jobs_keep_to_their_days_and_hours():
    school_days = job_named("task-reminders")
    assert due_runs([school_days], local("2026-03-14 09:00"), local("2026-03-14 10:00")) == []  # Saturday
    cut_offs = PeriodicJob("cut-offs", "jobs.sweeps.task_reminders", SWEEPS, "test", days=SCHOOL_DAYS,
                           every=timedelta(minutes=5), between=(time(8), time(17)))
    assert due_runs([cut_offs], local("2026-03-10 17:00"), local("2026-03-10 23:00")) == []
    runs = due_runs([cut_offs], local("2026-03-10 16:00"), local("2026-03-10 23:00"))
    assert [r.slot for r in runs] == [local("2026-03-10 16:55")]


def test_due_runs_needs_aware_instants():
    with pytest.raises(ValueError):
        due_runs(PERIODIC_JOBS, datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 10))


def test_slot_labels_are_valid_job_id_parts():
    run = due_runs([daily(time(7))], local("2026-03-29 00:00"), local("2026-03-29 12:00"))[0]
    assert run.slot_label == "20260329T0600Z"


def test_next_run_and_the_printed_table():
    after = local("2026-03-13 19:30")  # Friday evening
    assert next_run(job_named("daily-digests"), after) == local("2026-03-16 07:00")
    assert next_run(job_named("task-reminders"), after) == local("2026-03-16 07:00")  # not at night or weekends
    assert next_run(job_named("outbox-dispatch"), after) == local("2026-03-13 19:31")
    lines = schedule_lines(after)
    assert lines[0].split()[:2] == ["name", "runs"]
    digests = next(line for line in lines if line.startswith("daily-digests"))
    assert "07:00 on weekdays" in digests and "Mon 16 Mar 07:00" in digests and "email" in digests
    assert any("every 15 min from 07:00 to 19:00 on school days" in line for line in lines)
