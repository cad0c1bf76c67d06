"""Reminders and escalation on frozen time: one reminder at the kind's lead time, one email per escalation
level, on the dates the kind's chain gives (school days counted on the school's own calendar), never twice."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import Audience, TaskStatus
from app.roles import SchoolRoleName, TrustRoleName
from app.school_calendar import SchoolCalendar, generate_school_year
from app.services.tasks import (
    TASK_KINDS,
    Escalation,
    KindRules,
    TaskKind,
    complete_tasks_for,
    ensure_task,
    escalation_due_at,
    next_escalation,
    reminder_due,
)
from jobs.sweeps import task_reminders
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids, calendars_for_a_and_b, notifications, recipients, tasks_of


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(UTC)


# A kind with fixed offsets, for the timing rules: remind 7 days before; headteacher when due, trust after 5 days.
REVIEW = KindRules("Fixed offsets", SchoolRoleName.AP_LEADER, remind_before=timedelta(days=7),
                   escalation=(Escalation(SchoolRoleName.HEADTEACHER),
                               Escalation(TrustRoleName.TRUST_SAFEGUARDING_LEAD, school_days=5)), policy="test")


def sweep_at(when: str):
    with school_time(when):
        return task_reminders()


def make_review(ids, created: str, due: str, key: str = "review:placement:1"):
    with school_time(created), school_scope(ids.a):
        task, _ = ensure_task(TaskKind.HALF_TERMLY_REVIEW, key, "Half-termly review for pupil P1", local(due),
                              subject=("placement", 1))
        db.session.commit()
        return task.id


def test_reminder_timing_rule():
    due = local("2026-03-13 17:00")
    created = local("2026-03-02 09:00")
    assert not reminder_due(REVIEW, due, created, local("2026-03-06 16:59"))
    assert reminder_due(REVIEW, due, created, local("2026-03-06 17:00"))
    assert reminder_due(REVIEW, due, created, local("2026-03-12 09:00"))  # until sent (the key stops a second)
    assert not reminder_due(REVIEW, due, created, due)  # overdue: escalation's business now
    assert not reminder_due(REVIEW, due, local("2026-03-10 09:00"), local("2026-03-11 09:00"))  # made inside it
    assert not reminder_due(TASK_KINDS[TaskKind.WELFARE_CHECK], due, created, local("2026-03-13 09:00"))


def test_escalation_dates_count_the_schools_own_school_days():
    calendar = SchoolCalendar(generate_school_year(2025))
    due = local("2026-02-13 17:00")  # the last day of Spring 1, before the February break
    later = Escalation(TrustRoleName.TRUST_SAFEGUARDING_LEAD, school_days=5)
    assert escalation_due_at(Escalation(SchoolRoleName.HEADTEACHER), due, calendar.nth_school_day_after) == due
    assert escalation_due_at(later, due, calendar.nth_school_day_after) == local("2026-02-27 17:00")
    assert escalation_due_at(later, due) == local("2026-02-20 17:00")  # with no calendar: weekdays
    beyond = local("2026-07-22 17:00")  # the calendar ends first: weekdays, not a failure
    assert escalation_due_at(later, beyond, calendar.nth_school_day_after) == local("2026-07-29 17:00")
    hourly = Escalation(SchoolRoleName.HEADTEACHER, after=timedelta(hours=1))
    assert escalation_due_at(hourly, due) == local("2026-02-13 18:00")
    assert next_escalation(REVIEW, 0, due, local("2026-02-13 16:59")) is None
    assert next_escalation(REVIEW, 0, due, due).to is SchoolRoleName.HEADTEACHER
    assert next_escalation(REVIEW, 1, due, local("2026-02-26 09:00"), calendar.nth_school_day_after) is None
    assert next_escalation(REVIEW, 2, due, local("2027-01-01 09:00")) is None  # the chain has ended


def test_one_reminder_then_one_email_per_level_on_its_date(app, world):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    make_review(ids, "2026-03-02 09:00", "2026-03-13 17:00")

    # The half-termly review's dates are app.policy.reviews': remind 5 school days before the due date, the
    # headteacher the school day after it, the trust safeguarding lead on the half-term's last school day.
    sweep_at("2026-03-05 17:00")
    assert recipients("task_reminder") == []
    sweep_at("2026-03-06 07:00")  # five school days before it is due
    leaders = sorted([ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"]])
    assert recipients("task_reminder") == leaders
    sweep_at("2026-03-06 17:15")
    sweep_at("2026-03-09 09:00")
    assert recipients("task_reminder") == leaders  # once

    sweep_at("2026-03-13 17:00")  # overdue, but the headteacher hears the next school day
    assert recipients("task_escalated") == []
    sweep_at("2026-03-16 07:00")  # the school day after the due date: the headteacher is told
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]
    assert tasks_of(ids.a)[0].escalation_level == 1
    sweep_at("2026-03-16 07:15")
    sweep_at("2026-03-26 17:00")  # the day before Spring 2's last school day
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]

    sweep_at("2026-03-27 07:00")  # the half-term's last school day: the trust safeguarding lead
    assert recipients("task_escalated") == sorted([ids.emails["a.headteacher"],
                                                   ids.emails["trust.trust_safeguarding_lead"]])
    trust_email = next(n for n in notifications("task_escalated")
                       if n.recipient_email == ids.emails["trust.trust_safeguarding_lead"])
    assert (trust_email.audience, trust_email.urgent, trust_email.school_id) == (Audience.TRUST, True, ids.a)
    assert "Assigned to: Alternative Provision Leader" in trust_email.body_text
    assert trust_email.subject == "Overdue at Alder School: Half-termly review for pupil P1"

    before = len(notifications())
    for when in ("2026-03-27 17:15", "2026-04-13 09:00", "2026-04-14 09:00"):
        sweep_at(when)
    assert len(notifications()) == before  # the chain has ended: never twice
    [task] = tasks_of(ids.a)
    assert (task.escalation_level, task.status) == (2, TaskStatus.OPEN)


def test_an_overdue_task_is_escalated_on_the_next_school_day_not_in_the_holiday(app, world):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    make_review(ids, "2026-02-02 09:00", "2026-02-13 17:00")
    sweep_at("2026-02-13 16:30")
    sweep_at("2026-02-18 10:00")  # the February break: the sweep does not run for school A
    assert recipients("task_escalated") == []
    sweep_at("2026-02-23 09:00")  # back at school
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]
    sweep_at("2026-02-27 17:00")
    # Due on Spring 1's last school day: the headteacher gets 5 school days before the trust is told (Mon 2 Mar)
    assert tasks_of(ids.a)[0].escalation_level == 1
    sweep_at("2026-03-02 07:00")
    assert tasks_of(ids.a)[0].escalation_level == 2


def test_a_task_done_in_time_is_neither_reminded_nor_escalated(app, world):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    make_review(ids, "2026-03-02 09:00", "2026-03-13 17:00")
    with school_time("2026-03-04 10:00"), school_scope(ids.a):
        complete_tasks_for("placement", 1, [TaskKind.HALF_TERMLY_REVIEW], None)
        db.session.commit()
    for when in ("2026-03-06 17:00", "2026-03-13 17:00", "2026-03-20 17:00"):
        sweep_at(when)
    assert recipients("task_reminder") == recipients("task_escalated") == []


def test_an_urgent_welfare_check_escalates_within_hours(app, world):
    ids = Ids(world)
    calendars_for_a_and_b(world)
    with school_time("2026-03-10 09:30"), school_scope(ids.a):
        ensure_task(TaskKind.WELFARE_CHECK, "welfare:pupil:9:2026-03-10", "Welfare check: pupil P9 absent",
                    local("2026-03-10 10:00"), subject=("pupil", 9))
        db.session.commit()
    assert recipients("task_assigned") == [ids.emails["a.dsl"]]
    sweep_at("2026-03-10 10:45")
    assert recipients("task_escalated") == []
    sweep_at("2026-03-10 11:00")
    assert recipients("task_escalated") == [ids.emails["a.headteacher"]]
    sweep_at("2026-03-10 13:00")
    assert recipients("task_escalated") == sorted([ids.emails["a.headteacher"],
                                                   ids.emails["trust.trust_safeguarding_lead"]])


def test_only_due_items_are_read(app, world):
    """The sweep's queries are bounded by status and due date: old, finished or far-off tasks are not loaded."""
    from sqlalchemy import event

    from app.models import Task

    ids = Ids(world)
    calendars_for_a_and_b(world)
    with school_time("2025-09-10 09:00"), school_scope(ids.a):
        for n in range(30):  # history: done long ago
            task, _ = ensure_task(TaskKind.HALF_TERMLY_REVIEW, f"old:{n}", f"Old review {n}",
                                  local("2025-09-19 17:00"))
            task.status = TaskStatus.DONE
        for n in range(5):  # far in the future
            ensure_task(TaskKind.HALF_TERMLY_REVIEW, f"future:{n}", f"Future review {n}", local("2026-07-10 17:00"))
        db.session.commit()
    make_review(ids, "2026-03-02 09:00", "2026-03-13 17:00", key="due")
    loaded = []

    def listener(session, instance):
        if isinstance(instance, Task):
            loaded.append(instance.dedupe_key)

    event.listen(db.session.session_factory.class_, "loaded_as_persistent", listener)
    try:
        sweep_at("2026-03-06 17:00")
    finally:
        event.remove(db.session.session_factory.class_, "loaded_as_persistent", listener)
    assert set(loaded) == {"due"}
