"""ensure_tasks: many tasks made at once by a sweep, with the same result as ensure_task for each (one task per
dedupe key, the existing one returned, each assignee emailed once), and the one-by-one path when another
session made one of them meanwhile."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Task
from app.services import tasks as tasks_service
from app.services.tasks import TaskKind, TaskSpec, ensure_task, ensure_tasks
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids, notifications

DUE = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def spec(key: str) -> TaskSpec:
    return TaskSpec(TaskKind.ATTENDANCE_UNCONFIRMED, key, f"Confirm {key}", DUE, subject=("attendance_session", 1),
                    urgent=True)


def test_many_at_once_like_one_by_one(app, world):
    ids = Ids(world)
    with school_time("2026-03-16 09:30"), school_scope(ids.a):
        earlier, _ = ensure_task(TaskKind.ATTENDANCE_UNCONFIRMED, "k1", "Confirm k1", DUE)
        results = ensure_tasks([spec("k1"), spec("k2"), spec("k3"), spec("k2")])
        db.session.commit()
        assert [(t.dedupe_key, made) for t, made in results] == [("k1", False), ("k2", True), ("k3", True),
                                                                 ("k2", False)]
        assert results[0][0].id == earlier.id and results[1][0] is results[3][0]
        assert sorted(db.session.scalars(select(Task.dedupe_key))) == ["k1", "k2", "k3"]
        assert results[1][0].assigned_role.value == "attendance_officer" and results[1][0].urgent
    emailed = [n.dedupe_key for n in notifications()]
    assert len(emailed) == len(set(emailed)) == 3  # one email per task to the one attendance officer


def test_a_task_made_meanwhile_by_another_session_falls_back_to_one_by_one(app, world, monkeypatch):
    ids = Ids(world)
    real_add_all = db.session.add_all

    def race(objects):
        # Another session commits k2 between the look-up and the insert.
        with db.engine.begin() as other:
            other.execute(Task.__table__.insert(), [{
                "school_id": ids.a, "kind": "attendance_unconfirmed", "title": "Confirm k2 (the other session)",
                "dedupe_key": "k2", "due_at": DUE, "urgent": True, "status": "open",
                "escalation_level": 0, "assigned_role": "attendance_officer",
                "created_at": DUE, "updated_at": DUE}])
        real_add_all(objects)

    with school_time("2026-03-16 09:30"), school_scope(ids.a):
        monkeypatch.setattr(tasks_service.db.session, "add_all", race)
        results = ensure_tasks([spec("k1"), spec("k2")])
        db.session.commit()
        assert [made for _, made in results] == [True, False]
        assert results[1][0].title == "Confirm k2 (the other session)"
        assert sorted(db.session.scalars(select(Task.dedupe_key))) == ["k1", "k2"]
