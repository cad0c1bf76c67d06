"""The QA visit sweep (8.1, 8.3) on frozen time through Autumn 2025 of school A: a task for the AP leader two weeks
before each provider's visit is due (the agreed frequency, else about half-termly), made only on school days, never
twice while the sweep repeats; recording the visit completes it and starts the next cycle; a visit falling due in
the holidays is due by the last school day before; the reminder and the headteacher's escalation fall on their
dates; a provider with no active placement left needs no visit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Notification, Placement, PlacementStatus, TaskStatus
from app.services.calendar import calendar_for_school
from app.services.qa import provider_visit_lines
from app.services.tasks import TASK_KINDS, TaskKind
from jobs.qa_sweeps import qa_visits_due
from jobs.schedule import job_named
from jobs.sweeps import task_reminders
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import D, enter_year, provider, provider_of, qa_placement, qa_tasks, visit


def made_on(task) -> dt.date:
    return clock.to_local(task.created_at).date()


def due(task) -> dt.datetime:
    return clock.to_local(task.due_at).replace(tzinfo=None)


def emails_about(task_id: int, template: str) -> list[str]:
    with system_scope("test: read the outbox"):
        db.session.expire_all()
        return sorted(n.recipient_email for n in db.session.scalars(select(Notification).where(
            Notification.about_type == "task", Notification.about_id == task_id, Notification.template == template)))


def test_the_sweep_runs_early_on_school_days_and_the_task_kind_is_the_ap_leaders():
    job = job_named("qa-visits-due")
    assert (job.func, job.at, job.days) == ("jobs.qa_sweeps.qa_visits_due", dt.time(6, 50), "school days")
    rules = TASK_KINDS[TaskKind.QA_VISIT_DUE]
    assert rules.role.value == "ap_leader" and rules.remind_before == dt.timedelta(days=5)
    assert [step.to.value for step in rules.escalation] == ["headteacher"] and rules.policy == "8.1, 8.3"


def test_an_autumn_of_sweeps(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    ash = qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=4)
    bea = qa_placement(ids, first_name="Bea", start=D(2025, 9, 4))  # no frequency agreed: every 6 weeks
    qa_placement(ids, "b", first_name="Cal", start=D(2025, 9, 4), qa_every_weeks=1)  # B has no calendar
    ash_provider, bea_provider = provider_of(ids, ash), provider_of(ids, bea)

    worked, skipped = [], []
    day = D(2025, 9, 1)
    while day <= D(2025, 11, 7):
        for minute in (50, 51):  # a repeated sweep (a retried job) makes nothing twice
            with school_time(f"{day} 06:{minute}"):
                report = qa_visits_due()
        (worked if ids.a in report.worked else skipped).append(day)
        assert ids.b in report.skipped and report.failed == {}
        if day == D(2025, 10, 1):
            with school_time(f"{day} 12:00"):
                visit(ids, ash_provider, day)
        day += dt.timedelta(days=1)

    assert not any(d.weekday() >= 5 for d in worked)
    assert all(d in skipped for d in (D(2025, 10, 27), D(2025, 10, 31), D(2025, 11, 3)))  # holiday, training day
    tasks = qa_tasks(ids.a)
    assert [(t.subject_id, made_on(t), due(t), t.status) for t in tasks] == [
        # Ash: due 4 weeks from the start (Thu 2 Oct), asked two weeks before; the visit on 1 Oct completes it.
        (ash_provider, D(2025, 9, 18), dt.datetime(2025, 10, 2, 17), TaskStatus.DONE),
        # Bea: 6 weeks from the start, Thu 16 Oct; never visited, so still open (and never made twice).
        (bea_provider, D(2025, 10, 2), dt.datetime(2025, 10, 16, 17), TaskStatus.OPEN),
        # Ash again: 4 weeks from the visit is Wed 29 Oct, in the half-term holiday: due Fri 24 Oct instead.
        (ash_provider, D(2025, 10, 10), dt.datetime(2025, 10, 24, 17), TaskStatus.OPEN),
    ]
    assert tasks[0].completed_by_id == ids.users["a.ap_leader"]
    assert all(t.assigned_role.value == "ap_leader" and t.link_endpoint == "qa.new_activity" for t in tasks)
    assert tasks[2].dedupe_key == f"qa-visit-due:{ash_provider}:2025-10-01"
    assert qa_tasks(ids.b) == []
    leaders = sorted([ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"]])  # A has two AP leaders
    assert emails_about(tasks[0].id, "task_assigned") == leaders

    # The reminder five days before (Sun 19 Oct 17:00) goes with Monday's first reminder sweep; the headteacher
    # is told once a school day has passed the due day (27-31 Oct holiday, 3 Nov training day: Tue 4 Nov 17:00).
    late = tasks[2].id
    with school_time("2025-10-17 16:00"):
        task_reminders()
    assert emails_about(late, "task_reminder") == []
    with school_time("2025-10-20 07:00"):
        task_reminders()
    assert emails_about(late, "task_reminder") == leaders
    with school_time("2025-11-04 16:45"):
        task_reminders()
    assert emails_about(late, "task_escalated") == []
    with school_time("2025-11-04 17:00"):
        task_reminders()
        task_reminders()
    assert emails_about(late, "task_escalated") == [ids.emails["a.headteacher"]]


def test_the_most_frequent_agreement_and_the_earliest_start_set_a_providers_visits(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    shared = provider("Shared Provider Ltd")
    qa_placement(ids, first_name="Ash", start=D(2025, 9, 8), qa_every_weeks=6, provider_id=shared)
    qa_placement(ids, first_name="Bea", start=D(2025, 9, 15), qa_every_weeks=3, provider_id=shared)
    with school_time("2025-09-30 09:00"), school_scope(ids.a):
        [line] = provider_visit_lines()
        assert (line.due.every_weeks, line.due.counted_from, line.due.due_on) == (3, D(2025, 9, 8), D(2025, 9, 29))
        assert line.due.overdue and len(line.placements) == 2
    with school_time("2025-09-30 06:50"):
        qa_visits_due()
        qa_visits_due()
    [task] = qa_tasks(ids.a)
    assert due(task) == dt.datetime(2025, 9, 29, 17) and "Ash Testcase" in task.detail and "Bea Testcase" in task.detail


def test_a_provider_with_no_active_placement_left_needs_no_visit(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=2)
    with school_time("2025-09-08 06:50"):
        qa_visits_due()
    [task] = qa_tasks(ids.a)
    assert task.status == TaskStatus.OPEN
    with school_scope(ids.a):
        db.session.get(Placement, made.placement_id).status = PlacementStatus.ENDED
        db.session.commit()
    with school_time("2025-09-09 06:50"):
        qa_visits_due()
    [task] = qa_tasks(ids.a)
    assert task.status == TaskStatus.DONE and task.completed_by_id is None


def test_a_placement_not_yet_started_is_not_counted(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    qa_placement(ids, first_name="Ash", start=D(2025, 10, 6), qa_every_weeks=1)
    with school_time("2025-09-22 06:50"):
        qa_visits_due()
    assert qa_tasks(ids.a) == []
    with school_time("2025-10-06 06:50"):
        qa_visits_due()
    [task] = qa_tasks(ids.a)
    assert due(task) == dt.datetime(2025, 10, 13, 17)  # a week from the start: asked at once


def test_the_calendar_decides_school_days(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    with school_scope(ids.a):
        calendar = calendar_for_school()
    assert calendar.is_school_day(D(2025, 10, 24)) and not calendar.is_school_day(D(2025, 10, 29))


def test_the_sweep_and_the_school_views_read_a_fixed_number_of_queries_whatever_the_placements(app, world):
    from app.services.qa import follow_ups, placement_qa_lines
    from tests.reviews.test_review_views import _queries

    ids = Ids(world)
    enter_year(ids.a)
    qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=2)
    with school_time("2025-09-08 06:50"):
        qa_visits_due()

    def measure():
        with school_time("2025-09-09 06:50"):
            sweep = _queries(qa_visits_due)  # a repeated sweep: nothing new to make
            with school_scope(ids.a):
                db.session.expire_all()
                return (_queries(placement_qa_lines), _queries(lambda: follow_ups(overdue_only=True)), sweep)

    few = measure()
    for n in range(9):
        qa_placement(ids, first_name=f"Extra{n}", start=D(2025, 9, 4), qa_every_weeks=2)
    with school_time("2025-09-08 06:51"):
        qa_visits_due()  # their providers' tasks
    assert len(qa_tasks(ids.a)) == 10
    assert measure() == few
