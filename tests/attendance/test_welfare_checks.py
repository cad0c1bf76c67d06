"""Welfare check pages (issue 6 item 6; KCSIE; policy 4.4, 4.5): the DSL sees the open checks, records how each was
made and its outcome (completing the task); a reason obtained goes on the register mark; "not located" starts
the missing-child procedure, tells the trust safeguarding lead at once and escalates until the pupil is found;
a check can be raised by hand; bad input names the field and saves nothing."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, Notification, Task, TaskStatus, WelfareCheck
from jobs.attendance_sweeps import attendance_cutoffs
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement
from tests.helpers import post_form, school_time, sign_in

MONDAY = "2026-03-16"


@pytest.fixture
def raised(world, calendar_a):
    """Robin's Monday session unconfirmed an hour past its cut-off: the sweep has raised the DSL's check."""
    school_id = world.a.id
    people = {key: (world.users[key].email, world.users[key].id)
              for key in ("a.dsl", "a.attendance_officer", "trust.trust_safeguarding_lead")}
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0,))
    with school_time(f"{MONDAY} 10:31"):
        attendance_cutoffs()
    with school_scope(school_id):
        check = db.session.scalar(select(WelfareCheck))
        return {"id": check.id, "pupil": robin.pupil_id, "school": school_id, "people": people}


def check_row(school_id: int, check_id: int) -> WelfareCheck:
    with school_scope(school_id):
        db.session.expire_all()
        return db.session.get(WelfareCheck, check_id)


def welfare_tasks(school_id: int) -> list[Task]:
    with school_scope(school_id):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).where(Task.kind == "welfare_check").order_by(Task.id)))


@contextmanager
def signed_in_at(client, email: str, local_time: str):
    """Frozen at the time on Monday, signed in then (the session's idle expiry runs on the frozen clock)."""
    with school_time(f"{MONDAY} {local_time}"):
        sign_in(client, email)
        yield


def record(client, check_id: int, **data):
    values = {"method": "call", "outcome": "seen_and_safe", "notes": "", "checked_on": MONDAY,
              "checked_time": "10:50", "absence_reason": ""}
    values.update(data)
    return post_form(client, f"/alder/welfare-checks/{check_id}/record", values,
                     form_url=f"/alder/welfare-checks/{check_id}")


def test_the_dsl_sees_the_open_check_with_the_contacts_and_records_it_seen_and_safe(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "10:55"):
        listing = client.get("/alder/welfare-checks/").get_data(as_text=True)
        assert "Open (1)" in listing and "Robin" in listing and "still unconfirmed an hour after" in listing
        page = client.get(f"/alder/welfare-checks/{raised['id']}").get_data(as_text=True)
        assert "Sam Example (Mother), 07700 900123" in page and "Dana Office (Attendance)" in page
        response = record(client, raised["id"], method="home_visit", notes="Robin at home with a cold")
    assert response.status_code == 302
    check = check_row(raised["school"], raised["id"])
    assert (check.method.value, check.outcome.value, check.notes) == ("home_visit", "seen_and_safe",
                                                                       "Robin at home with a cold")
    assert check.recorded_by_id == raised["people"]["a.dsl"][1] and check.checked_at.hour == 10  # 10:50 GMT
    assert [t.status for t in welfare_tasks(raised["school"])] == [TaskStatus.DONE]
    with school_time(f"{MONDAY} 11:00"):
        listing = client.get("/alder/welfare-checks/").get_data(as_text=True)
        assert "Open (0)" in listing and "Pupil seen and safe" in listing
        assert "Record the check" not in client.get(f"/alder/welfare-checks/{raised['id']}").get_data(as_text=True)


def test_a_reason_obtained_goes_on_the_register_mark(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "10:55"):
        record(client, raised["id"], outcome="reason_obtained", absence_reason="M", notes="Dentist")
    with school_scope(raised["school"]):
        session = db.session.scalar(select(AttendanceSession))
        assert (session.outcome.value, session.absence_reason, session.register_code) == ("absent", "M", "M")
        assert session.confirmed_by_id == raised["people"]["a.dsl"][1]
        prompts = db.session.scalars(select(Task).where(Task.kind == "attendance_unconfirmed")).all()
        assert [t.status for t in prompts] == [TaskStatus.DONE]  # the register is now confirmed


def test_not_located_starts_the_procedure_tells_the_trust_lead_and_escalates_until_found(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "11:05"):
        record(client, raised["id"], outcome="not_located", notes="No answer from home or the provider's office")
        page = client.get(f"/alder/welfare-checks/{raised['id']}").get_data(as_text=True)
    assert "the missing-child procedure" in page and "call the police on 999" in page
    assert "children missing education officer" in page and "Record the pupil found" in page
    check = check_row(raised["school"], raised["id"])
    assert check.missing_procedure_started_at is not None and check.trust_told_at is not None
    lead_email = raised["people"]["trust.trust_safeguarding_lead"][0]
    with system_scope("test: the outbox"):
        told = db.session.scalars(select(Notification).where(Notification.recipient_email == lead_email,
                                                             Notification.template == "welfare_not_located")).all()
        assert len(told) == 1 and told[0].urgent
    first, follow_up = welfare_tasks(raised["school"])
    assert first.status is TaskStatus.DONE and follow_up.status is TaskStatus.OPEN and follow_up.urgent
    assert follow_up.title.startswith("Missing-child procedure: Robin ") and follow_up.title.endswith("not located")

    with signed_in_at(client, raised["people"]["a.dsl"][0], "12:10"):
        again = record(client, raised["id"], outcome="not_located", notes="still")
        assert "already recorded as not located" in again.get_data(as_text=True)
        found = record(client, raised["id"], method="call", outcome="seen_and_safe", checked_time="12:05",
                       notes="Found at a friend's house, safe")
    assert found.status_code == 302
    check = check_row(raised["school"], raised["id"])
    assert check.outcome.value == "seen_and_safe" and check.missing_procedure_started_at is not None
    assert "No answer from home" in check.notes and "Found at a friend's house" in check.notes
    assert all(t.status is TaskStatus.DONE for t in welfare_tasks(raised["school"]))
    with system_scope("test: the outbox"):
        assert db.session.scalar(select(Notification).where(Notification.template == "welfare_located")) is not None


def test_not_located_without_notes_names_the_field_and_saves_nothing(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "11:05"):
        response = record(client, raised["id"], outcome="not_located", notes="")
        missing_method = record(client, raised["id"], method="", outcome="")
    assert "Say what was tried" in response.get_data(as_text=True)
    text = missing_method.get_data(as_text=True)
    assert "Choose how the check was made" in text and "Choose the outcome" in text
    check = check_row(raised["school"], raised["id"])
    assert check.recorded_at is None and check.outcome is None and check.missing_procedure_started_at is None
    assert [t.status for t in welfare_tasks(raised["school"])] == [TaskStatus.OPEN]


def test_the_attendance_officer_sees_checks_but_cannot_record_them(client, world, raised):
    with signed_in_at(client, raised["people"]["a.attendance_officer"][0], "11:05"):
        page = client.get(f"/alder/welfare-checks/{raised['id']}")
        assert page.status_code == 200 and "Record the check" not in page.get_data(as_text=True)
        assert record(client, raised["id"]).status_code == 403
    assert check_row(raised["school"], raised["id"]).recorded_at is None


def test_the_dsl_raises_a_check_by_hand(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "13:00"):
        refused = post_form(client, "/alder/welfare-checks/new", {"pupil_id": "", "note": ""})
        assert "Choose the pupil to check on" in refused.get_data(as_text=True)
        response = post_form(client, "/alder/welfare-checks/new",
                             {"pupil_id": str(raised["pupil"]), "note": "Parent rang, worried"})
    assert response.status_code == 302
    with school_scope(raised["school"]):
        by_hand = db.session.scalar(select(WelfareCheck).where(WelfareCheck.reason.is_(None)))
        assert by_hand.pupil_id == raised["pupil"] and by_hand.attendance_session_id is None
    tasks = welfare_tasks(raised["school"])
    assert len(tasks) == 2 and tasks[-1].dedupe_key == f"welfare-by-hand:{by_hand.id}" and tasks[-1].urgent


def test_the_nav_shows_welfare_checks_to_those_who_may_see_them(client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "11:00"):
        # In the "Today" group of the navigation, listed under it on the group's pages.
        assert 'href="/alder/welfare-checks/"' in client.get("/alder/attendance/").get_data(as_text=True)
