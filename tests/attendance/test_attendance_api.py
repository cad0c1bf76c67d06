"""The attendance API (issue 6 item 8): the day's expected sessions and the records, by day, range or pupil;
confirming a session with the same rules as the page; bad input a 400 naming the field with nothing saved;
another school's session a JSON 404; in the OpenAPI document."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from app.extensions import db
from app.models import AttendanceSession
from app.services import api_tokens
from tenants import school_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.helpers import fresh_client, school_time

SESSIONS = "/api/v1/schools/alder/attendance/sessions"


@pytest.fixture
def robin(world, calendar_a):
    with school_time("2026-03-09 10:00"):
        ready = active_placement(world, weekdays=(0, 2), pm_weekdays=(0,))
    morning_sweep("2026-03-16", "2026-03-18")
    return ready


def auth(world, who="a.attendance_officer"):
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}


def test_the_days_expected_sessions_are_listed_unconfirmed(app, world, robin):
    with school_time("2026-03-16 09:45"):
        body = fresh_client(app).get(SESSIONS, headers=auth(world)).get_json()
    assert body["from"] == body["to"] == "2026-03-16"
    assert [(s["session"], s["status"], s["register_code"], s["starts_at"]) for s in body["items"]] == [
        ("am", "unconfirmed", None, "09:00"), ("pm", "unconfirmed", None, "13:00")]
    assert body["items"][0]["provider_name"] == "Provider for Robin"


def test_confirming_through_the_api_and_reading_the_records_by_pupil(app, world, robin):
    client, headers = fresh_client(app), auth(world)
    with school_time("2026-03-16 09:45"):
        am = client.get(SESSIONS, headers=headers).get_json()["items"][0]
        done = client.post(f"{SESSIONS}/{am['id']}/confirmation", headers=headers,
                           json={"outcome": "late", "via": "provider", "minutes_late": 10})
        assert done.status_code == 200
        assert (done.get_json()["register_code"], done.get_json()["status"]) == ("B", "confirmed")
        assert done.get_json()["confirmed_by_id"] == world.users["a.attendance_officer"].id
    with school_time("2026-03-18 15:00"):
        records = client.get(f"{SESSIONS}?pupil_id={robin.pupil_id}&from=2026-03-16&to=2026-03-18",
                             headers=headers).get_json()["items"]
        one = client.get(f"{SESSIONS}/{am['id']}", headers=headers).get_json()
    assert [(r["day"], r["session"], r["register_code"]) for r in records] == [
        ("2026-03-16", "am", "B"), ("2026-03-16", "pm", None), ("2026-03-18", "am", None)]
    assert one["minutes_late"] == 10


@pytest.mark.parametrize("body, field", [
    ({"outcome": "present", "via": "call"}, "outcome"),
    ({"outcome": "attended"}, "via"),
    ({"outcome": "late", "via": "call"}, "minutes_late"),
    ({"outcome": "absent", "via": "call", "absence_reason": "B"}, "absence_reason"),
    ({"outcome": "attended", "via": "call", "mood": "cheerful"}, "mood"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(app, world, robin, body, field):
    client, headers = fresh_client(app), auth(world)
    with school_time("2026-03-16 09:45"):
        am = client.get(SESSIONS, headers=headers).get_json()["items"][0]
        response = client.post(f"{SESSIONS}/{am['id']}/confirmation", headers=headers, json=body)
    assert response.status_code == 400 and field in response.get_json()["error"]["fields"]
    db.session.expire_all()
    with school_scope(world.a.id):
        assert db.session.get(AttendanceSession, am["id"]).confirmed_at is None


def test_bad_dates_and_unknown_pupils(app, world, robin):
    client, headers = fresh_client(app), auth(world)
    with school_time("2026-03-16 09:45"):
        assert client.get(f"{SESSIONS}?day=soon", headers=headers).status_code == 400
        assert client.get(f"{SESSIONS}?day=2026-03-16&from=2026-03-16", headers=headers).status_code == 400
        assert client.get(f"{SESSIONS}?from=2026-03-18&to=2026-03-16", headers=headers).status_code == 400
        assert client.get(f"{SESSIONS}?pupil_id=999999", headers=headers).status_code == 404


def test_who_may_confirm_and_another_schools_session(app, world, robin):
    client = fresh_client(app)
    with school_time("2026-03-16 09:45"):
        am = client.get(SESSIONS, headers=auth(world)).get_json()["items"][0]
        head = client.post(f"{SESSIONS}/{am['id']}/confirmation", headers=auth(world, "a.headteacher"),
                           json={"outcome": "attended", "via": "call"})
        assert head.status_code == 403
        other = client.post(f"/api/v1/schools/birch/attendance/sessions/{am['id']}/confirmation",
                            headers=auth(world, "b.attendance_officer"), json={"outcome": "attended", "via": "call"})
        assert other.status_code == 404 and other.get_json()["error"]["message"] == "No such attendance session."


def test_the_openapi_document_describes_the_attendance_resources(app):
    document = fresh_client(app).get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "post" in document["paths"][
        "/api/v1/schools/{school_slug}/attendance/sessions/{attendance_session_id}/confirmation"]
    assert "AttendanceSession" in document["components"]["schemas"]
