"""The half-termly review sweep (8.2, 8.3) on frozen time across the whole 2025-26 school year of school A: a task
at each half-term's first school day and never on a weekend, holiday, bank holiday or training day; a placement
starting mid-half-term gets its own on its first day; an agreement's more frequent review gets more tasks; repeated
sweeps make nothing twice; the reminder and the escalations (headteacher, then the trust safeguarding lead) fall
on the policy's dates."""
from __future__ import annotations

import datetime as dt

from app import clock
from app.clock import SCHOOL_TZ
from app.models import Audience, TaskStatus
from app.roles import SchoolRoleName
from app.services.calendar import calendar_for_school
from app.services.tasks import TASK_KINDS, TaskKind, policy_times
from jobs.review_sweeps import half_termly_reviews
from jobs.schedule import job_named
from jobs.sweeps import task_reminders
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids, notifications, recipients
from tests.reviews.conftest import HALF_TERMS, TRAINING_DAYS, D, active_placement, enter_year, review_tasks


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(dt.UTC)


def due_day(task) -> dt.date:
    return clock.to_local(task.due_at).date()


def made_on(task) -> dt.date:
    return clock.to_local(task.created_at).date()


def test_the_sweep_runs_early_on_school_days():
    job = job_named("half-termly-reviews")
    assert (job.func, job.at, job.days) == ("jobs.review_sweeps.half_termly_reviews", dt.time(6, 45), "school days")


def test_a_whole_school_year_of_sweeps(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    all_year = active_placement(ids, first_name="Ash", start=D(2025, 9, 4))
    mid = active_placement(ids, first_name="Bea", start=D(2026, 1, 21))  # a Wednesday in Spring 1
    ends_early = active_placement(ids, first_name="Cal", start=D(2025, 9, 4), end=D(2025, 10, 8))
    frequent = active_placement(ids, first_name="Dee", start=D(2025, 9, 4), every_weeks=2)
    b_placement = active_placement(ids, "b", first_name="Eve")  # school B has no calendar: no task, no failure

    skipped_days, worked_days = [], []
    day = D(2025, 9, 1)
    while day <= D(2026, 7, 24):
        for run in (1, 2):  # a repeated sweep (a retried job) makes nothing twice
            with school_time(f"{day} 06:4{4 + run}"):
                report = half_termly_reviews()
        (worked_days if ids.a in report.worked else skipped_days).append(day)
        assert ids.b in report.skipped  # nothing entered: never a school day
        day += dt.timedelta(days=1)

    with school_scope(ids.a):
        calendar = calendar_for_school()
    assert all(calendar.is_school_day(d) for d in worked_days)
    assert not any(calendar.is_school_day(d) for d in skipped_days)
    assert {D(2025, 10, 25), D(2025, 12, 25), D(2026, 5, 4), *TRAINING_DAYS} <= set(skipped_days)

    tasks = review_tasks(ids.a)
    assert all(calendar.is_school_day(made_on(t)) for t in tasks)
    assert len({t.dedupe_key for t in tasks}) == len(tasks)
    by_placement = {}
    for task in tasks:
        by_placement.setdefault(task.subject_id, []).append(task)

    # One review each half-term, made on its first school day, due by the end of the half-termly due date.
    ash = by_placement[all_year.placement_id]
    assert [(made_on(t), due_day(t)) for t in ash] == HALF_TERMS
    assert {clock.to_local(t.due_at).time() for t in ash} == {dt.time(17, 0)}
    assert {(t.assigned_role, t.link_endpoint, t.link_args["placement_id"]) for t in ash} == {
        (SchoolRoleName.AP_LEADER, "reviews.new", all_year.placement_id)}

    # Starts mid-half-term: its first review task on its first day, then one per half-term.
    bea = by_placement[mid.placement_id]
    assert [(made_on(t), due_day(t)) for t in bea] == [(D(2026, 1, 21), D(2026, 2, 6)), *HALF_TERMS[3:]]

    # Ends before the half-termly due date: reviewed by its own last school day, and nothing after.
    assert [(made_on(t), due_day(t)) for t in by_placement[ends_early.placement_id]] == [
        (D(2025, 9, 5), D(2025, 10, 8))]

    # The agreement's review every 2 school weeks: Autumn 1 (from Fri 5 Sep) owes Fri 19 Sep, Fri 3 Oct and the
    # half-termly one on Fri 17 Oct, all made on the half-term's first school day.
    dee = by_placement[frequent.placement_id]
    autumn_1 = [t for t in dee if t.dedupe_key.endswith(tuple(f"autumn-1:{n}" for n in range(1, 9)))]
    assert [(made_on(t), due_day(t)) for t in autumn_1] == [
        (D(2025, 9, 5), D(2025, 9, 19)), (D(2025, 9, 5), D(2025, 10, 3)), (D(2025, 9, 5), D(2025, 10, 17))]
    assert len(dee) > len(ash) and {due_day(t) for t in ash} <= {due_day(t) for t in dee}

    assert review_tasks(ids.b) == []
    assert b_placement.placement_id not in by_placement


def test_reminder_and_escalation_dates_come_from_the_policy(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, first_name="Ash", start=D(2025, 9, 4))
    with school_time("2026-04-13 06:45"):  # Summer 1: the early May bank holiday and a training day (Fri 15 May)
        half_termly_reviews()
    [task] = review_tasks(ids.a)
    assert (task.subject_id, due_day(task)) == (made.placement_id, D(2026, 5, 14))
    assert task.remind_at == local("2026-05-07 07:00")  # 5 school days before, Mon 4 May skipped
    with school_scope(ids.a):
        times = policy_times(TASK_KINDS[TaskKind.HALF_TERMLY_REVIEW], task.due_at, task.created_at,
                             calendar_for_school())
    assert times[1] == (local("2026-05-18 07:00"), local("2026-05-22 07:00"))  # the school day after; last day

    def sweep(when):
        with school_time(when):
            task_reminders()

    assert recipients("task_assigned") == sorted([ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"]])
    sweep("2026-05-06 18:45")
    assert recipients("task_reminder") == []
    sweep("2026-05-07 07:00")
    assert recipients("task_reminder") == sorted([ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"]])
    sweep("2026-05-14 17:00")  # due now: overdue, nobody told yet
    sweep("2026-05-15 10:00")  # a training day: the sweep does not run for school A
    assert recipients("task_escalated") == []
    sweep("2026-05-18 07:00")
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]
    sweep("2026-05-21 18:45")
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]
    sweep("2026-05-22 07:00")  # still not held on the half-term's last school day: the trust is told
    trust_lead = ids.emails["trust.trust_safeguarding_lead"]
    assert recipients("task_escalated") == sorted([ids.emails["a.headteacher"], trust_lead])
    [to_trust] = [n for n in notifications("task_escalated") if n.recipient_email == trust_lead]
    assert (to_trust.audience, to_trust.urgent) == (Audience.TRUST, True)
    sweep("2026-06-02 07:00")
    assert len(notifications("task_escalated")) == 2  # the chain has ended
    assert review_tasks(ids.a)[0].status == TaskStatus.OPEN


def test_a_review_due_on_the_last_day_gives_the_headteacher_a_week(app, world):
    """A placement starting in Spring 2's last school week is reviewed by the half-term's last school day; the
    headteacher hears the school day after (after Easter), the trust 5 school days later."""
    ids = Ids(world)
    enter_year(ids.a)
    active_placement(ids, first_name="Fay", start=D(2026, 3, 23))
    with school_time("2026-03-23 06:45"):
        half_termly_reviews()
    [task] = review_tasks(ids.a)
    assert (made_on(task), due_day(task), task.remind_at) == (D(2026, 3, 23), D(2026, 3, 27), None)
    with school_scope(ids.a):
        _, levels = policy_times(TASK_KINDS[TaskKind.HALF_TERMLY_REVIEW], task.due_at, task.created_at,
                                 calendar_for_school())
    assert levels == (local("2026-04-13 07:00"), local("2026-04-20 07:00"))


def test_a_planned_or_not_yet_started_placement_gets_no_task(app, world):
    from app.models import PlacementStatus

    ids = Ids(world)
    enter_year(ids.a)
    active_placement(ids, first_name="Gil", status=PlacementStatus.PLANNED)
    active_placement(ids, first_name="Hal", start=D(2025, 9, 22))
    with school_time("2025-09-05 06:45"):
        half_termly_reviews()
    assert review_tasks(ids.a) == []
    with school_time("2025-09-22 06:45"):
        half_termly_reviews()
    assert [due_day(t) for t in review_tasks(ids.a)] == [D(2025, 10, 17)]
