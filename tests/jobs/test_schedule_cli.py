"""Operators' commands: `flask jobs schedule`, `flask jobs run-sweep NAME`, `flask jobs failed`."""
from __future__ import annotations

from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids, run_worker, tasks_of


def explode_for_cli_test():
    raise RuntimeError("the sweep failed on purpose")


def test_schedule_prints_what_runs_when_in_local_time(app):
    with school_time("2026-03-13 19:30"):
        result = app.test_cli_runner().invoke(args=["jobs", "schedule"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["name", "runs", "(Europe/London", "time)"]
    assert [line.split()[0] for line in lines[1:]] == [
        "outbox-dispatch", "daily-digests", "calendar-readiness", "task-reminders", "provider-vetting",
        "registration-verdicts", "attendance-sessions", "attendance-cutoffs", "half-termly-reviews", "qa-visits-due",
        "policy-review", "part-time-timetables", "retention-review", "flexi-schooling-reviews",
        "webhooks-dispatch", "attendance-roll-up"]
    readiness = next(line for line in lines if line.startswith("calendar-readiness"))
    assert "06:30 on weekdays" in readiness and "Mon 16 Mar 06:30" in readiness and "sweeps" in readiness


def test_run_sweep_runs_one_sweep_now(app, world):
    ids = Ids(world)
    with school_time("2026-03-10 06:30"):
        result = app.test_cli_runner().invoke(args=["jobs", "run-sweep", "calendar-readiness"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("calendar-readiness: SweepReport(")
    assert [t.title for t in tasks_of(ids.c)] == ["Enter the 2025-26 term dates"]  # school C has no calendar


def test_run_sweep_refuses_a_name_not_in_the_schedule(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run-sweep", "everything"])
    assert result.exit_code == 2
    assert "one of: outbox-dispatch, daily-digests, calendar-readiness, task-reminders" in result.output


def test_failed_lists_failed_jobs_with_their_error(app):
    from jobs.connection import SWEEPS
    from jobs.enqueue import enqueue

    enqueue(SWEEPS, explode_for_cli_test, job_id="periodic-test-explodes")
    run_worker()
    result = app.test_cli_runner().invoke(args=["jobs", "failed"])
    assert result.exit_code == 0, result.output
    assert "aphub-test-sweeps: 1 failed" in result.output
    line = next(line for line in result.output.splitlines() if "periodic-test-explodes" in line)
    assert "explode_for_cli_test" in line and "RuntimeError: the sweep failed on purpose" in line
