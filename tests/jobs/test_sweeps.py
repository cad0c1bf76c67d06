"""Sweeps on frozen time: per school, in its scope, only on its days; idempotent."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.clock import SCHOOL_TZ, local_datetime
from app.extensions import db
from app.models import TaskStatus
from app.roles import SchoolRoleName
from app.services.tasks import TaskKind, ensure_task
from jobs.sweeps import SweepFailed, calendar_readiness, task_reminders
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import (
    BANK_HOLIDAY,
    HALF_TERM_WEEK,
    SCHOOL_DAY,
    TRAINING,
    WEEKEND,
    Ids,
    calendars_for_a_and_b,
    enter_calendar,
    enter_half_term,
    notifications,
    recipients,
    task_count,
    tasks_of,
)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(UTC)


@pytest.mark.parametrize("day, is_school_day", [
    (SCHOOL_DAY, True), (WEEKEND, False), (BANK_HOLIDAY, False), (HALF_TERM_WEEK, False), (TRAINING, False),
])
def test_a_school_days_sweep_works_only_on_the_schools_school_days(app, world, day, is_school_day):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    due_day = date.fromisoformat(day) - timedelta(days=3)
    with school_time(f"{due_day} 09:00"), school_scope(ids.a):
        ensure_task(TaskKind.HALF_TERMLY_REVIEW, "review:placement:1", "Half-termly review for pupil P1",
                    local_datetime(due_day, time(17)), subject=("placement", 1))
        db.session.commit()

    with school_time(f"{day} 10:00"):
        report = task_reminders()

    assert (ids.a in report.worked) is is_school_day
    assert (ids.a in report.skipped) is not is_school_day
    assert ids.c in report.skipped  # no calendar entered: never a school day
    [task] = tasks_of(ids.a)
    assert task.escalation_level == (1 if is_school_day else 0)
    assert recipients("task_escalated") == ([ids.emails["a.headteacher"]] if is_school_day else [])


def test_calendar_readiness_runs_on_weekdays_even_for_a_school_with_no_calendar(app, world):
    ids = Ids(world)
    with school_time(f"{WEEKEND} 06:30"):
        assert calendar_readiness().worked == []
    with school_time(f"{BANK_HOLIDAY} 06:30"):
        report = calendar_readiness()
    assert report.worked == sorted(ids.schools.values())
    assert [t.title for t in tasks_of(ids.c)] == ["Enter the 2025-26 term dates"]


def test_calendar_readiness_asks_each_school_once_for_what_is_missing(app, world):
    ids = Ids(world)
    calendars_for_a_and_b(world)  # up to Thu 23 Jul 2026; school C has nothing

    with school_time(SCHOOL_DAY + " 06:30"):  # March: 2025-26 reaches far enough ahead
        report = calendar_readiness()
    assert report.results == {ids.a: False, ids.b: False, ids.c: True}
    assert task_count() == 1

    with school_time("2026-06-30 06:30"):  # 30 days ahead is past the end of the entered year
        report = calendar_readiness()
    assert report.results == {ids.a: True, ids.b: True, ids.c: False}
    [task] = tasks_of(ids.a)
    assert (task.kind, task.title, task.dedupe_key) == (
        "calendar_needed", "Enter the 2026-27 term dates", "calendar-needed:2026-27")
    assert (task.assigned_role, task.assigned_user_id, task.urgent) == (SchoolRoleName.AP_LEADER, None, False)
    assert (task.subject_type, task.subject_id) == ("school", ids.a)
    assert (task.link_endpoint, task.link_args) == ("calendar.new_half_term", {})
    assert "dates up to Thursday 23 July 2026" in task.detail
    # Due in 10 school days: 1-3, 6-10 and 13-14 July.
    assert task.due_at == local("2026-07-14 17:00")
    assert [t.dedupe_key for t in tasks_of(ids.b)] == ["calendar-needed:2026-27"]
    assert recipients("task_assigned") == sorted([
        ids.emails["ac.ap_leader"],  # school C, in March
        ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"],  # school A: both its AP leaders
        ids.emails["b.ap_leader"],
    ])

    before = (task_count(), len(notifications()))
    with school_time("2026-06-30 06:45"):
        again = calendar_readiness()
    with school_time("2026-07-01 06:30"):
        calendar_readiness()
    assert again.results == {ids.a: False, ids.b: False, ids.c: False}
    assert (task_count(), len(notifications())) == before


def test_a_task_with_no_calendar_counts_weekdays_for_its_due_date(app, world):
    ids = Ids(world)
    with school_time(SCHOOL_DAY + " 06:30"):
        calendar_readiness()
    [task] = tasks_of(ids.c)
    assert task.due_at == local("2026-03-24 17:00")  # 10 weekdays after Tue 10 Mar


def test_entering_the_missing_half_term_settles_the_task_and_a_later_need_is_a_new_task(app, world):
    ids = Ids(world)
    enter_calendar(ids.a, parts=2, training_days=())  # Autumn 1 and 2 only: up to Fri 19 Dec 2025

    with school_time("2025-12-01 06:30"):
        calendar_readiness()
    [task] = tasks_of(ids.a)
    assert (task.title, task.dedupe_key) == ("Enter the dates of Spring 1 2025-26", "calendar-needed:2025-26:spring-1")

    enter_half_term(ids.a, 2025, 2)  # Spring 1, to Fri 13 Feb 2026
    with school_time("2025-12-02 06:30"):
        calendar_readiness()
    [task] = tasks_of(ids.a)
    assert (task.status, task.completed_by_id, task.completed_at) == (TaskStatus.DONE, None, local("2025-12-02 06:30"))

    with school_time("2026-01-20 06:30"):
        calendar_readiness()
    done, new = tasks_of(ids.a)
    assert (new.dedupe_key, new.status) == ("calendar-needed:2025-26:spring-2", TaskStatus.OPEN)
    assert new.title == "Enter the dates of Spring 2 2025-26"


def test_one_school_failing_does_not_stop_the_others(app, world, monkeypatch):
    import app.services.calendar as calendar_service

    ids = Ids(world)
    real = calendar_service.check_calendar_readiness

    def failing_for_b(calendar, today):
        from tenants import current_school_id

        if current_school_id() == ids.b:
            raise RuntimeError("school B's data is broken")
        return real(calendar, today)

    monkeypatch.setattr(calendar_service, "check_calendar_readiness", failing_for_b)
    with school_time(SCHOOL_DAY + " 06:30"), pytest.raises(SweepFailed, match="school B's data is broken"):
        calendar_readiness()
    assert [len(tasks_of(ids.a)), len(tasks_of(ids.b)), len(tasks_of(ids.c))] == [1, 0, 1]


def test_a_sweep_works_inside_each_schools_scope_only(app, world, monkeypatch):
    import app.services.calendar as calendar_service
    from tenants import current_scope

    ids = Ids(world)
    seen = []

    def record_scope(calendar, today):
        seen.append((current_scope().kind.value, current_scope().school_id))
        return None, False

    monkeypatch.setattr(calendar_service, "check_calendar_readiness", record_scope)
    with school_time(SCHOOL_DAY + " 06:30"):
        calendar_readiness()
    assert seen == [("school", ids.a), ("school", ids.b), ("school", ids.c)]
