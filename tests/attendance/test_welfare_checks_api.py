"""The welfare checks API (issue 6 item 8): the list, open first, and one check; another school's is a 404."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import WelfareCheck
from app.services import api_tokens
from jobs.attendance_sweeps import attendance_cutoffs
from tenants import school_scope
from tests.attendance.conftest import active_placement
from tests.helpers import fresh_client, school_time


def test_the_dsl_lists_and_reads_welfare_checks_and_not_another_schools(app, world, calendar_a):
    school_id, dsl, b_leader = world.a.id, world.users["a.dsl"], world.users["b.ap_leader"]
    with school_time("2026-03-09 10:00"):
        active_placement(world, first_name="Robin", weekdays=(0,))
    with school_time("2026-03-16 10:31"):
        token = api_tokens.issue(dsl, "welfare script")
        b_token = api_tokens.issue(b_leader, "B's script")
        attendance_cutoffs()
        client = fresh_client(app)
        listing = client.get("/api/v1/schools/alder/welfare-checks?open=true",
                             headers={"Authorization": f"Bearer {token}"})
        with school_scope(school_id):
            check_id = db.session.scalar(select(WelfareCheck.id))
        one = client.get(f"/api/v1/schools/alder/welfare-checks/{check_id}",
                         headers={"Authorization": f"Bearer {token}"})
        b_asks = client.get(f"/api/v1/schools/birch/welfare-checks/{check_id}",
                            headers={"Authorization": f"Bearer {b_token}"})
        bad = client.get("/api/v1/schools/alder/welfare-checks?open=perhaps",
                         headers={"Authorization": f"Bearer {token}"})
    [item] = listing.get_json()["items"]
    assert item["id"] == check_id and item["reason"] == "unconfirmed" and item["is_open"] is True
    assert item["outcome"] is None and item["attendance_session_id"] is not None
    assert one.status_code == 200 and one.get_json()["raised_at"].startswith("2026-03-16T10:31")
    assert b_asks.status_code == 404 and b_asks.get_json()["error"]["message"] == "No such welfare check."
    assert bad.status_code == 400 and "open" in bad.get_json()["error"]["fields"]
