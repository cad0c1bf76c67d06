"""The API's /me/tasks (issue 17 item 1): the holder's own open tasks across their schools, by id and paged; one
task; Mark done where the kind allows (a field-named 400 where it does not). Someone else's task, or a task of a
school where they hold no role, is a 404; the same service and rules as each school's inbox page."""
from __future__ import annotations

from datetime import timedelta

from app import clock
from app.extensions import db
from app.models import SchoolRole, Task, TaskStatus
from app.roles import SchoolRoleName
from app.services import api_tokens
from app.services.tasks import TaskKind, ensure_task
from tenants import school_scope, system_scope
from tests.helpers import fresh_client


def _task(school_id: int, kind: TaskKind, key: str, role=SchoolRoleName.HEADTEACHER) -> int:
    with school_scope(school_id):
        task, _ = ensure_task(kind, key, f"Task {key}", clock.now() + timedelta(days=2), assigned_role=role)
        db.session.commit()
        return task.id


def _get(app, user, url: str):
    headers = {"Authorization": f"Bearer {api_tokens.issue(user, 'test')}"}
    return fresh_client(app).get(url, headers=headers)


def _post(app, user, url: str):
    headers = {"Authorization": f"Bearer {api_tokens.issue(user, 'test')}"}
    return fresh_client(app).post(url, headers=headers, json={})


def test_the_holders_open_tasks_across_their_schools_by_id_page_by_page(app, world):
    head = world.users["a.headteacher"]
    with system_scope("test: the head of school A also heads school B"):
        db.session.add(SchoolRole(user_id=head.id, school_id=world.b.id, role=SchoolRoleName.HEADTEACHER))
        db.session.commit()
    ids = [_task(world.a.id, TaskKind.PART_TIME_SIX_WEEKS, "a1"), _task(world.b.id, TaskKind.COMPLAINT, "b1"),
           _task(world.a.id, TaskKind.COMPLAINT, "a2")]
    _task(world.a.id, TaskKind.COMPLAINT, "dsl", role=SchoolRoleName.DSL)  # someone else's
    first = _get(app, head, "/api/v1/me/tasks?limit=2").get_json()
    assert [t["id"] for t in first["items"]] == ids[:2] and "cursor=" in first["next"]
    assert [t["school_slug"] for t in first["items"]] == [world.a.slug, world.b.slug]
    second = _get(app, head, first["next"]).get_json()
    assert [t["id"] for t in second["items"]] == ids[2:] and second["next"] is None
    only_b = _get(app, head, f"/api/v1/me/tasks?school={world.b.slug}").get_json()
    assert [t["id"] for t in only_b["items"]] == [ids[1]]
    item = first["items"][0]
    assert item["kind"] == "part_time_six_weeks" and item["can_mark_done"] is True and item["status"] == "open"
    assert first["items"][1]["can_mark_done"] is False


def test_bad_paging_is_a_400_naming_the_field(app, world):
    response = _get(app, world.users["a.headteacher"], "/api/v1/me/tasks?limit=0&colour=red")
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"colour"}  # the query's own fields first
    for query, field in (("limit=0", "limit"), ("cursor=x", "cursor")):
        response = _get(app, world.users["a.headteacher"], f"/api/v1/me/tasks?{query}")
        assert response.status_code == 400 and set(response.get_json()["error"]["fields"]) == {field}


def test_one_task_and_mark_done_where_the_kind_allows(app, world):
    head = world.users["a.headteacher"]
    doable = _task(world.a.id, TaskKind.PART_TIME_SIX_WEEKS, "six-weeks")
    not_here = _task(world.a.id, TaskKind.COMPLAINT, "complaint")
    assert _get(app, head, f"/api/v1/me/tasks/{doable}").get_json()["title"] == "Task six-weeks"
    refused = _post(app, head, f"/api/v1/me/tasks/{not_here}/done")
    assert refused.status_code == 400 and "acted on" in refused.get_json()["error"]["fields"]["task"][0]
    done = _post(app, head, f"/api/v1/me/tasks/{doable}/done")
    assert done.status_code == 200 and done.get_json()["status"] == "done" and done.get_json()["completed_at"]
    with school_scope(world.a.id):
        task = db.session.get(Task, doable)
        assert task.status is TaskStatus.DONE and task.completed_by_id == head.id
        assert db.session.get(Task, not_here).status is TaskStatus.OPEN
    assert _post(app, head, f"/api/v1/me/tasks/{doable}/done").status_code == 404  # no longer open
    assert _get(app, head, f"/api/v1/me/tasks/{doable}").status_code == 404


def test_someone_elses_task_or_another_schools_is_a_404(app, world):
    ours = _task(world.a.id, TaskKind.PART_TIME_SIX_WEEKS, "ours")
    theirs = _task(world.b.id, TaskKind.PART_TIME_SIX_WEEKS, "theirs")
    for user, task_id in ((world.users["a.attendance_officer"], ours), (world.users["a.headteacher"], theirs),
                          (world.users["trust.designated_trustee"], ours)):
        for response in (_get(app, user, f"/api/v1/me/tasks/{task_id}"),
                         _post(app, user, f"/api/v1/me/tasks/{task_id}/done")):
            assert response.status_code == 404 and b"Task " not in response.data
    with school_scope(world.b.id):
        assert db.session.get(Task, theirs).status is TaskStatus.OPEN
    assert _get(app, world.users["a.attendance_officer"], "/api/v1/me/tasks").get_json()["items"] == []
