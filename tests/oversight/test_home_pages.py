"""Home pages by role (issue 16 item 3): the DSL's starts with urgent welfare checks; the attendance officer's with
today's sessions to confirm; the AP leader's with what is missing before placements can start and what is overdue;
the headteacher's with approvals waiting and the school's figures."""
from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import OffSiteDirection, Placement, PlacementStatus
from tenants import school_scope
from tests.attendance.test_welfare_checks import MONDAY, record, signed_in_at
from tests.helpers import fresh_client, school_time, sign_in
from tests.placements.conftest import make_ready_placement


def home(app, email: str, at: str) -> str:
    client = fresh_client(app)
    with school_time(f"{MONDAY} {at}"):
        sign_in(client, email)
        return client.get("/alder/").get_data(as_text=True)


def test_the_dsl_home_starts_with_the_overdue_check_then_a_pupil_not_located(app, client, world, raised):
    page = home(app, "a.dsl@test.example.org", "11:45")
    main = page.split('<main', 1)[1]
    assert main.index("Urgent: welfare checks") < main.index("Your roles here")
    assert "Welfare check: Robin" in main and "Overdue" in main
    with signed_in_at(client, "a.dsl@test.example.org", "11:50"):
        record(client, raised["id"], outcome="not_located", notes="No answer", checked_time="11:48")
    page = home(app, "a.dsl@test.example.org", "11:55")
    assert "1 pupil not located." in page and "not located since" in page
    assert "Urgent: welfare checks" not in home(app, "a.ap_leader@test.example.org", "11:55")


def test_the_attendance_officer_sees_todays_sessions_to_confirm(app, world, raised):
    page = home(app, "a.attendance_officer@test.example.org", "11:45")
    assert "Today's sessions to confirm" in page and "Past the cut-off" in page and "Robin" in page
    assert "Urgent: welfare checks" not in page  # the DSL's to act on
    assert "Today's sessions to confirm" not in home(app, "a.designated_governor@test.example.org", "11:45")


def test_the_ap_leader_sees_what_is_missing_and_the_headteacher_the_approval_waiting(app, world, calendar_a):
    with school_time(f"{MONDAY} 09:00"):
        ready = make_ready_placement(world, directed=True, first_name="Sky")
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        db.session.add(OffSiteDirection(placement_id=placement.id, reasons_and_objectives="Improve behaviour",
                                        review_on=dt.date(2026, 4, 20), ends_by=dt.date(2026, 5, 22)))
        placement.agreement.aims_and_outcomes = None
        assert placement.status is PlacementStatus.PLANNED
        db.session.commit()
    leader = home(app, "a.ap_leader@test.example.org", "10:00")
    assert "Missing before placements can start" in leader and "Sky" in leader and "missing" in leader
    head = home(app, "a.headteacher@test.example.org", "10:00")
    assert "Approvals waiting" in head and "Off-site direction for Sky" in head
    assert "Spring term 2025-26 so far" in head and "Pupils in AP" in head
    assert "Approvals waiting" not in leader
