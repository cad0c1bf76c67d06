"""The attendance picture (issue 6 item 7; policy 4.5): a pupil's and a placement's percentages by week and by
half-term with a chart; on the school view, unconfirmed sessions today and pupils below the persistent-absence
threshold this half-term; on the trust view, the same per school with initials only."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, AuditEvent, School
from app.services.attendance import Confirmation, confirm_session, ensure_expected_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.helpers import fresh_client, plain_html, school_time, sign_in


def make_days(world, school, days, outcome_for) -> None:
    """Make the sessions of each day and confirm each as outcome_for(session) says (None: leave unconfirmed)."""
    with school_scope(school.id):
        calendar = calendar_for_school(school.id)
        for day in days:
            ensure_expected_sessions(calendar, day, db.session.get(School, school.id))
        for s in db.session.scalars(select(AttendanceSession).where(AttendanceSession.confirmed_at.is_(None))):
            outcome = outcome_for(s)
            if outcome:
                confirm_session(s, Confirmation(*outcome), user_id=None)
        db.session.commit()


@pytest.fixture
def two_pupils(world, calendar_a):
    """Robin attends every session; Sky misses every Wednesday (ill) in the spring weeks and the first summer week."""
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0, 2))
        sky = active_placement(world, first_name="Sky", weekdays=(0, 2))
        active_placement(world, world.b, first_name="Ash", weekdays=(0, 2))
    days = [date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 23), date(2026, 3, 25), date(2026, 4, 13),
            date(2026, 4, 15)]

    def outcome(s):
        if s.placement_id == sky.placement_id and s.day.weekday() == 2:
            return ("absent", "call", None, "I")
        return ("attended", "call")

    with school_time("2026-04-20 08:00"):
        make_days(world, world.a, days, outcome)
        make_days(world, world.b, days, lambda s: ("absent", "call", None, "I"))  # Ash: 0%
    return robin, sky


def client_for(app, world, who):
    client = fresh_client(app)
    assert sign_in(client, world.users[who]).status_code == 302
    return client


def test_a_pupils_page_shows_percentages_by_week_and_half_term_with_a_chart(app, world, two_pupils):
    robin, sky = two_pupils
    with school_time("2026-04-20 08:00"):
        page = client_for(app, world, "a.attendance_officer").get(f"/alder/attendance/pupils/{sky.pupil_id}")
    text = plain_html(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Attendance so far: <strong>50.0%</strong>" in text
    assert "<svg" in text and 'role="img"' in text and "Attendance by week" in text
    assert "w/c 16 Mar</td><td>50.0%" in text and "Spring 2 2025-26</td><td>50.0%" in text
    assert "Summer 1 2025-26</td><td>50.0%" in text


def test_a_placements_page_counts_only_its_own_sessions(app, world, two_pupils):
    robin, _sky = two_pupils
    with school_time("2026-04-20 08:00"):
        text = client_for(app, world, "a.ap_leader").get(
            f"/alder/attendance/placements/{robin.placement_id}").get_data(as_text=True)
    assert "Attendance so far: <strong>100.0%</strong>" in text and "6 sessions due" in text


def test_another_schools_pupil_is_not_found(app, world, two_pupils):
    with school_time("2026-04-20 08:00"):
        client = client_for(app, world, "b.attendance_officer")
        assert client.get(f"/birch/attendance/pupils/{two_pupils[0].pupil_id}").status_code == 404


def test_the_school_view_shows_unconfirmed_today_and_pupils_below_the_threshold(app, world, two_pupils):
    with school_time("2026-04-20 09:45"):  # Monday: today's sessions made, none confirmed
        morning_sweep("2026-04-20")
        client = client_for(app, world, "a.attendance_officer")
        page = client.get("/alder/").get_data(as_text=True)
    assert "2 sessions still unconfirmed today." in page
    # this half-term (Summer 1) so far: Sky 1 of 2 = 50%; Robin 100% is not listed
    assert "Sky Example</a></td><td>50.0%" in page and "Robin Example</a></td><td>" not in page


def test_the_trust_view_lists_each_school_with_initials_only_and_is_audited(app, world, two_pupils):
    with school_time("2026-04-20 09:45"):
        client = client_for(app, world, "trust.trust_safeguarding_lead")
        response = client.get("/trust/attendance/")
        assert client_for(app, world, "a.ap_leader").get("/trust/attendance/").status_code == 403
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<li>SE: 50.0%</li>" in text and "<li>AE: 0.0%</li>" in text  # Sky (Alder), Ash (Birch)
    assert "Sky" not in text and "Example" not in text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "trust_read",
                                                      AuditEvent.detail.like("trust attendance%"))) is not None


def test_the_placement_and_pupil_pages_link_to_the_picture(app, world, two_pupils):
    robin, _sky = two_pupils
    with school_time("2026-04-20 08:00"):
        client = client_for(app, world, "a.ap_leader")
        placement_page = client.get(f"/alder/placements/{robin.placement_id}").get_data(as_text=True)
        pupil_page = client.get(f"/alder/pupils/{robin.pupil_id}").get_data(as_text=True)
    assert f'href="/alder/attendance/placements/{robin.placement_id}"' in placement_page
    assert f'href="/alder/attendance/pupils/{robin.pupil_id}"' in pupil_page
