"""Tasks: made once per dedupe key (even by two sessions at once), completed by acting on their subject,
seen by the people they are for."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import select

from app.clock import SCHOOL_TZ, local_datetime
from app.extensions import db
from app.models import Task, TaskStatus
from app.roles import SchoolRoleName
from app.services import tasks as tasks_service
from app.services.calendar import settle_calendar_tasks
from app.services.tasks import (
    TASK_KINDS,
    TaskKind,
    TaskNotDoneHere,
    TaskNotFound,
    complete_tasks_for,
    ensure_task,
    mark_done,
    open_task_counts,
    open_tasks_for,
    task_link,
)
from tenants import TenantScopeError, school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids, enter_calendar, notifications, recipients, school, tasks_of, user

DUE = datetime(2026, 3, 13, 17, tzinfo=SCHOOL_TZ).astimezone(UTC)


def review(key: str = "review:placement:1", **kwargs):
    return ensure_task(TaskKind.HALF_TERMLY_REVIEW, key, "Half-termly review for pupil P1", DUE,
                       subject=("placement", 1), **kwargs)


def test_every_kind_declares_its_rules():
    assert set(TASK_KINDS) == set(TaskKind)
    for kind, rules in TASK_KINDS.items():
        assert rules.label and rules.policy, kind
        assert isinstance(rules.role, SchoolRoleName)
    assert TASK_KINDS[TaskKind.WELFARE_CHECK].urgent
    assert [s.to.value for s in TASK_KINDS[TaskKind.HALF_TERMLY_REVIEW].escalation] == [
        "headteacher", "trust_safeguarding_lead"]


def test_ensure_task_makes_one_task_per_key_and_emails_each_assignee_once(app, world):
    ids = Ids(world)
    with school_time("2026-03-02 09:00"), school_scope(ids.a):
        task, created = review()
        again, created_again = review()
        db.session.commit()
    assert (created, created_again) == (True, False)
    assert again.id == task.id
    [stored] = tasks_of(ids.a)
    assert (stored.kind, stored.assigned_role, stored.urgent, stored.status) == (
        "half_termly_review", SchoolRoleName.AP_LEADER, False, TaskStatus.OPEN)  # the kind's defaults
    assert recipients("task_assigned") == sorted([ids.emails["a.ap_leader"], ids.emails["ac.ap_leader"]])
    [first] = [n for n in notifications("task_assigned") if n.recipient_user_id == ids.users["a.ap_leader"]]
    assert first.dedupe_key == f"task:{task.id}:assigned:{ids.users['a.ap_leader']}"
    assert first.school_id == ids.a
    assert "Due: Fri 13 Mar 2026, 17:00" in first.body_text


def test_the_same_key_in_another_school_is_another_task(app, world):
    ids = Ids(world)
    for school_id in (ids.a, ids.b):
        with school_scope(school_id):
            assert review()[1] is True
            db.session.commit()
    assert [len(tasks_of(ids.a)), len(tasks_of(ids.b))] == [1, 1]


def test_a_task_for_a_named_person_emails_only_them_and_urgent_is_kept(app, world):
    ids = Ids(world)
    with school_scope(ids.a):
        task, _ = ensure_task(TaskKind.WELFARE_CHECK, "welfare:pupil:9:2026-03-10", "Welfare check: pupil P9",
                              DUE, assigned_user_id=ids.users["a.dsl"])
        db.session.commit()
        assert (task.assigned_role, task.urgent) == (None, True)
    [n] = notifications("task_assigned")
    assert (n.recipient_email, n.urgent, n.subject) == (
        ids.emails["a.dsl"], True, "Urgent: New task at Alder School: Welfare check: pupil P9")


def test_ensure_task_needs_a_school_scope(app, world):
    with pytest.raises(TenantScopeError):
        review()


def test_a_task_made_by_another_session_meanwhile_is_returned_not_duplicated(app, world, monkeypatch):
    """The look-up found nothing, then another session committed the same key before our insert."""
    ids = Ids(world)
    other = db.session.session_factory()
    with school_scope(ids.a):
        other.add(Task(school_id=ids.a, kind="half_termly_review", title="Made elsewhere", dedupe_key="review:race",
                       due_at=DUE, assigned_role=SchoolRoleName.AP_LEADER))
        other.commit()
        other.close()
        real_lookup = tasks_service._task_by_key
        lookups = iter([None])
        monkeypatch.setattr(tasks_service, "_task_by_key", lambda key: next(lookups, None) or real_lookup(key))
        task, created = review("review:race")
        db.session.commit()
    assert created is False
    assert task.title == "Made elsewhere"
    assert [t.dedupe_key for t in tasks_of(ids.a)] == ["review:race"]
    assert notifications("task_assigned") == []  # the loser emails nobody


def test_two_sessions_racing_make_one_task(app, world, monkeypatch):
    ids = Ids(world)
    both_looked = threading.Barrier(2, timeout=10)
    real_lookup = tasks_service._task_by_key
    first_look = threading.local()

    def look_then_wait(key):
        found = real_lookup(key)
        if not getattr(first_look, "done", False):
            first_look.done = True
            both_looked.wait()  # each session has looked and found nothing before either inserts
        return found

    monkeypatch.setattr(tasks_service, "_task_by_key", look_then_wait)
    results, errors = [], []

    def make():
        try:
            with app.app_context(), school_scope(ids.a):
                task, created = review("review:raced")
                db.session.commit()
                results.append((task.id, created))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    monkeypatch.setattr(tasks_service, "_task_by_key", real_lookup)
    assert errors == []
    assert sorted(created for _, created in results) == [False, True]
    assert len({task_id for task_id, _ in results}) == 1
    assert len(tasks_of(ids.a)) == 1
    assert len(notifications("task_assigned")) == 2  # the two AP leaders of school A, once each


def test_acting_on_the_subject_completes_its_open_tasks_of_those_kinds(app, world):
    ids = Ids(world)
    with school_time("2026-03-02 09:00"), school_scope(ids.a):
        review("review:placement:1")
        ensure_task(TaskKind.HALF_TERMLY_REVIEW, "review:placement:2", "Review for pupil P2", DUE,
                    subject=("placement", 2))
        ensure_task(TaskKind.WELFARE_CHECK, "welfare:1", "Welfare check", DUE, subject=("placement", 1))
        db.session.commit()
    with school_scope(ids.b):
        review("review:placement:1")
        db.session.commit()
    with school_time("2026-03-05 11:00"), school_scope(ids.a):
        leader = user(ids, "a.ap_leader")
        assert complete_tasks_for("placement", 1, [TaskKind.HALF_TERMLY_REVIEW], leader) == 1
        db.session.commit()
    state = {(t.dedupe_key, t.subject_id): (t.status, t.completed_by_id) for t in tasks_of(ids.a)}
    assert state == {
        ("review:placement:1", 1): (TaskStatus.DONE, ids.users["a.ap_leader"]),
        ("review:placement:2", 2): (TaskStatus.OPEN, None),  # another placement
        ("welfare:1", 1): (TaskStatus.OPEN, None),  # another kind
    }
    assert tasks_of(ids.a)[0].completed_at == datetime(2026, 3, 5, 11, tzinfo=UTC)
    assert [t.status for t in tasks_of(ids.b)] == [TaskStatus.OPEN]  # another school


def test_the_calendar_service_settles_calendar_tasks_with_who_entered_the_dates(app, world):
    from app.services.calendar import calendar_for_school
    from jobs.sweeps import calendar_readiness
    from tests.jobs.schedule_fixtures import enter_half_term

    ids = Ids(world)
    enter_calendar(ids.a, parts=2, training_days=())
    with school_time("2025-12-01 06:30"):
        calendar_readiness()
    enter_half_term(ids.a, 2025, 2)
    with school_time("2025-12-01 10:00"), school_scope(ids.a):
        assert settle_calendar_tasks(user(ids, "a.ap_leader")) == 1
        db.session.commit()
        assert settle_calendar_tasks(user(ids, "a.ap_leader"), calendar_for_school()) == 0
    [task] = tasks_of(ids.a)
    assert (task.status, task.completed_by_id) == (TaskStatus.DONE, ids.users["a.ap_leader"])


def test_open_tasks_are_the_users_own_urgent_first_then_soonest_due(app, world):
    ids = Ids(world)
    with school_time("2026-03-02 09:00"), school_scope(ids.a):
        later = local_datetime(DUE.date().replace(day=20), time(17))
        ensure_task(TaskKind.HALF_TERMLY_REVIEW, "late", "Review due later", later)
        ensure_task(TaskKind.HALF_TERMLY_REVIEW, "soon", "Review due soon", DUE)
        ensure_task(TaskKind.ATTENDANCE_UNCONFIRMED, "urgent-late", "Urgent, due later", later,
                    assigned_role=SchoolRoleName.AP_LEADER)
        ensure_task(TaskKind.FOLLOW_UP_ACTION, "for-dsl", "For the DSL by name", DUE,
                    assigned_user_id=ids.users["a.dsl"])
        ensure_task(TaskKind.FOLLOW_UP_ACTION, "for-other-leader", "For the other AP leader by name", DUE,
                    assigned_user_id=ids.users["ac.ap_leader"])
        db.session.commit()
        alder = school(ids, "a")
        assert [t.dedupe_key for t in open_tasks_for(user(ids, "a.ap_leader"), alder)] == [
            "urgent-late", "soon", "late"]
        assert [t.dedupe_key for t in open_tasks_for(user(ids, "a.dsl"), alder)] == ["for-dsl"]
        assert open_tasks_for(user(ids, "a.staff"), alder) == []  # a role that holds none of them
        assert open_tasks_for(user(ids, "b.ap_leader"), alder) == []  # another school's AP leader
    assert open_task_counts(user(ids, "ac.ap_leader"), [ids.a, ids.c]) == {ids.a: 4, ids.c: 0}
    assert open_task_counts(user(ids, "b.ap_leader"), [ids.b]) == {ids.b: 0}


def test_an_escalated_task_is_also_the_next_roles(app, world):
    ids = Ids(world)
    with school_scope(ids.a):
        task, _ = review()
        db.session.commit()
        head = user(ids, "a.headteacher")
        assert open_tasks_for(head, school(ids, "a")) == []
        task.escalation_level = 1
        db.session.commit()
        assert [t.id for t in open_tasks_for(head, school(ids, "a"))] == [task.id]


def test_mark_done_only_for_kinds_done_in_the_inbox(app, world):
    ids = Ids(world)
    with school_scope(ids.a):
        follow_up, _ = ensure_task(TaskKind.FOLLOW_UP_ACTION, "qa:1:action:1", "Send the provider the SEN summary",
                                   DUE, assigned_user_id=ids.users["a.ap_leader"])
        calendar_task, _ = ensure_task(TaskKind.CALENDAR_NEEDED, "calendar-needed:2026-27", "Enter dates", DUE)
        db.session.commit()
        leader = user(ids, "a.ap_leader")
        with pytest.raises(TaskNotDoneHere):
            mark_done(leader, school(ids, "a"), calendar_task.id)
        with pytest.raises(TaskNotFound):
            mark_done(user(ids, "a.dsl"), school(ids, "a"), follow_up.id)  # not theirs
        assert mark_done(leader, school(ids, "a"), follow_up.id).status is TaskStatus.DONE
        with pytest.raises(TaskNotFound):
            mark_done(leader, school(ids, "a"), follow_up.id)  # no longer open


def test_task_links_carry_the_school(app, world):
    ids = Ids(world)
    with school_scope(ids.a):
        task, _ = ensure_task(TaskKind.CALENDAR_NEEDED, "k", "Enter dates", DUE, link=("calendar.new_half_term", {}))
        missing, _ = ensure_task(TaskKind.HALF_TERMLY_REVIEW, "k2", "Review", DUE, link=("placements.review", {"id": 1}))
        bare, _ = ensure_task(TaskKind.FOLLOW_UP_ACTION, "k3", "Do it", DUE)
        db.session.commit()
        base = app.config["BASE_URL"].rstrip("/")
        assert task_link(task, external=True) == f"{base}/alder/calendar/half-terms/new"
        with app.test_request_context("/alder/inbox"):
            assert task_link(task, "alder") == "/alder/calendar/half-terms/new"
        assert task_link(missing) is None  # a page this version does not have
        assert task_link(bare) is None


def test_tasks_of_another_school_stay_out_of_reach(app, world):
    ids = Ids(world)
    with school_scope(ids.a):
        task, _ = review()
        db.session.commit()
        task_id = task.id
    with school_scope(ids.b):
        db.session.expire_all()
        assert db.session.get(Task, task_id) is None
        assert db.session.scalars(select(Task)).all() == []
        with pytest.raises(TaskNotFound):
            mark_done(user(ids, "b.ap_leader"), school(ids, "b"), task_id)
