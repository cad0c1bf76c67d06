"""The inbox page: a person's open tasks in one school, most urgent first, linked to where they are acted on."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import TaskStatus
from app.services.tasks import TaskKind, ensure_task
from tenants import school_scope
from tests.helpers import post_form, school_time, sign_in
from tests.jobs.schedule_fixtures import Ids, tasks_of


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SCHOOL_TZ).astimezone(UTC)


def seed_tasks(ids) -> dict[str, int]:
    made = {}
    with school_time("2026-03-02 09:00"), school_scope(ids.a):
        for key, kind, title, due, extra in (
            ("calendar", TaskKind.CALENDAR_NEEDED, "Enter the 2026-27 term dates", "2026-03-16 17:00",
             {"link": ("calendar.new_half_term", {})}),
            ("overdue", TaskKind.HALF_TERMLY_REVIEW, "Half-termly review for pupil P1", "2026-03-06 17:00", {}),
            ("urgent", TaskKind.ATTENDANCE_UNCONFIRMED, "Confirm attendance at Riverside Tuition", "2026-03-20 10:00",
             {"assigned_user_id": ids.users["a.ap_leader"]}),
            ("follow-up", TaskKind.FOLLOW_UP_ACTION, "Send the provider the SEN summary", "2026-03-18 17:00",
             {"assigned_user_id": ids.users["a.ap_leader"]}),
        ):
            task, _ = ensure_task(kind, key, title, local(due), **extra)
            made[key] = task.id
        db.session.commit()
    return made


def signed_in_as(app, email: str):
    """A fresh client signed in as this person. (The test's app context, and so what Flask-Login and Flask-WTF
    cache on `g` (the user, the CSRF token), is shared by every client in a test: forget the previous one's.)"""
    from flask import g

    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    client = app.test_client()
    sign_in(client, email)
    return client


def titles_in_order(page: str) -> list[str]:
    return re.findall(r"<strong>([^<]+)</strong>", page)


def test_the_inbox_lists_my_open_tasks_most_urgent_first(app, world, client):
    ids = Ids(world)
    seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["a.ap_leader"])
        response = client.get("/alder/inbox")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert titles_in_order(page) == [
        "Confirm attendance at Riverside Tuition",  # urgent
        "Half-termly review for pupil P1",  # overdue
        "Enter the 2026-27 term dates",
        "Send the provider the SEN summary",
    ]
    assert "4 open tasks at Alder School" in page
    assert page.count('class="govuk-tag govuk-tag--red">Overdue') == 1
    assert page.count('class="govuk-tag govuk-tag--red">Urgent') == 1
    assert "Fri 6 Mar 2026, 17:00" in page  # school-local
    assert "Fri 20 Mar 2026, 10:00" in page
    # "Act on this" where there is a page to act on; "Mark done" only where nothing elsewhere completes it.
    assert 'href="/alder/calendar/half-terms/new">Act on this<span class="govuk-visually-hidden">: Enter the 2026-27' in page
    assert page.count(">Mark done<") == 1
    assert "Mark done<span class=\"govuk-visually-hidden\">: Send the provider the SEN summary" in page
    assert '<a class="app-sub-navigation__link" href="/alder/inbox" aria-current="page">Your tasks</a>' in page


def test_the_inbox_is_only_for_the_people_the_task_is_for(app, world, client):
    ids = Ids(world)
    seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        staff = signed_in_as(app, ids.emails["a.staff"])
        page = staff.get("/alder/inbox").get_data(as_text=True)
        assert "You have no open tasks at Alder School." in page
        other = signed_in_as(app, ids.emails["b.ap_leader"])
        page = other.get("/birch/inbox").get_data(as_text=True)
        assert "You have no open tasks at Birch School." in page
        assert other.get("/alder/inbox").status_code == 404  # not a member of school A
        shared = signed_in_as(app, ids.emails["ac.ap_leader"])
        page = shared.get("/alder/inbox").get_data(as_text=True)
        assert titles_in_order(page) == ["Half-termly review for pupil P1", "Enter the 2026-27 term dates"]
        assert "no open tasks" in shared.get("/cedar/inbox").get_data(as_text=True)


def test_the_inbox_needs_a_signed_in_user(app, world, client):
    response = client.get("/alder/inbox")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_mark_done_completes_a_task_done_in_the_inbox(app, world, client):
    ids = Ids(world)
    made = seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["a.ap_leader"])
        response = post_form(client, f"/alder/inbox/{made['follow-up']}/done", {}, form_url="/alder/inbox")
        assert response.status_code == 302 and response.headers["Location"].endswith("/alder/inbox")
        page = client.get("/alder/inbox").get_data(as_text=True)
    assert "Done: Send the provider the SEN summary" in page
    assert "3 open tasks" in page
    done = next(t for t in tasks_of(ids.a) if t.id == made["follow-up"])
    assert (done.status, done.completed_by_id, done.completed_at) == (
        TaskStatus.DONE, ids.users["a.ap_leader"], local("2026-03-10 09:00"))


def test_mark_done_is_refused_where_the_task_is_acted_on_elsewhere(app, world, client):
    ids = Ids(world)
    made = seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["a.ap_leader"])
        post_form(client, f"/alder/inbox/{made['calendar']}/done", {}, form_url="/alder/inbox")
        page = client.get("/alder/inbox").get_data(as_text=True)
    assert "this is completed where it is acted on" in page
    assert next(t for t in tasks_of(ids.a) if t.id == made["calendar"]).status is TaskStatus.OPEN


def test_mark_done_on_a_task_that_is_not_mine_is_not_found(app, world, client):
    ids = Ids(world)
    made = seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["a.dsl"])
        assert post_form(client, f"/alder/inbox/{made['follow-up']}/done", {},
                         form_url="/alder/inbox").status_code == 404
        other = signed_in_as(app, ids.emails["b.ap_leader"])
        assert post_form(other, f"/birch/inbox/{made['follow-up']}/done", {},
                         form_url="/birch/inbox").status_code == 404  # another school's task
    assert all(t.status is TaskStatus.OPEN for t in tasks_of(ids.a))


def test_mark_done_needs_the_csrf_token(app, world, client):
    ids = Ids(world)
    made = seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["a.ap_leader"])
        assert client.post(f"/alder/inbox/{made['follow-up']}/done").status_code == 400


def test_the_home_page_shows_my_open_tasks_in_each_school(app, world, client):
    ids = Ids(world)
    seed_tasks(ids)
    with school_time("2026-03-10 09:00"):
        sign_in(client, ids.emails["ac.ap_leader"])
        page = client.get("/").get_data(as_text=True)
    alder, cedar = page.index("Alder School"), page.index("Cedar Infant School")
    assert "You have 2 open tasks here." in page[alder:cedar]
    assert "You have 0 open tasks here." in page[cedar:]
