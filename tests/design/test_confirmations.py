"""Confirmation before consequences (issue 14 item 3): starting a placement, ending one, suspending a provider
and recording "not located" each say exactly what will happen and who will be told before it is done; a
placement confirmed before its start date shows "starts on ..." until that day."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Placement, PlacementStatus, WelfareCheck
from jobs.attendance_sweeps import attendance_cutoffs
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement
from tests.helpers import fresh_client, plain_html, post_form, school_time, sign_in
from tests.placements.conftest import START


def _client(app, world, who):
    client = fresh_client(app)
    assert sign_in(client, world.users[who]).status_code == 302
    return client


def _status(world, placement_id):
    db.session.expire_all()
    with school_scope(world.a.id):
        return db.session.get(Placement, placement_id).status


def _notifications(school_id):
    with school_scope(school_id):
        return db.session.scalars(select(Notification)).all()


def test_the_start_page_says_what_happens_and_who_is_told_and_changes_nothing(app, world, ready):
    client = _client(app, world, "a.ap_leader")
    page = plain_html(client.get(f"/alder/placements/{ready.placement_id}/start").get_data(as_text=True))
    assert "<h1>Start the placement?</h1>" in page
    assert "shows as “starts on Monday 16 March 2026” until that day" in page
    assert "2 sessions a week" in page
    # The LA's AP notifications contact of the test world, by name and address.
    told = page.split("<h2>Who will be told</h2>")[1].split("</ul>")[0]
    assert re.search(r"<li>[^<]+, [^<]+ at [^<]+ \([^<@]+@[^<]+\): the placement notice, by email\.</li>", told), told
    assert "Yes, start the placement" in page
    assert _status(world, ready.placement_id) == PlacementStatus.PLANNED
    assert _notifications(world.a.id) == []


def test_a_placement_started_before_its_start_date_shows_starts_on_until_that_day(app, world, ready):
    client = _client(app, world, "a.ap_leader")
    response = post_form(client, f"/alder/placements/{ready.placement_id}/start", {},
                         form_url=f"/alder/placements/{ready.placement_id}/start")
    assert response.status_code == 302
    assert _status(world, ready.placement_id) == PlacementStatus.ACTIVE
    shown = plain_html(client.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True))
    assert "The placement is confirmed. It starts on Monday 16 March 2026." in shown
    assert "Starts on Mon 16 Mar 2026" in shown and ">Active<" not in shown
    listing = plain_html(client.get("/alder/placements/").get_data(as_text=True))
    assert "Starts on Mon 16 Mar 2026" in listing
    with school_time(f"{START} 08:00"):
        on_the_day = _client(app, world, "a.ap_leader")
        shown = plain_html(on_the_day.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True))
    assert ">Active<" in shown and "Starts on" not in shown


def test_the_start_page_of_another_schools_placement_is_not_found(app, world, ready):
    client = _client(app, world, "b.ap_leader")
    assert client.get(f"/birch/placements/{ready.placement_id}/start").status_code == 404
    assert client.get(f"/alder/placements/{ready.placement_id}/start").status_code == 404


def test_the_end_page_says_what_happens_and_that_nobody_is_emailed(app, world, ready):
    client = _client(app, world, "a.ap_leader")
    post_form(client, f"/alder/placements/{ready.placement_id}/start", {},
              form_url=f"/alder/placements/{ready.placement_id}/start")
    with school_time(f"{START} 09:00"):
        page = plain_html(_client(app, world, "a.ap_leader")
                          .get(f"/alder/placements/{ready.placement_id}/end").get_data(as_text=True))
    assert "<h2>What will happen</h2>" in page and "no sessions are expected there after it" in page
    assert "Nobody is emailed: tell the provider and the family yourself." in page
    assert 'class="govuk-button govuk-button--warning"' in client.get(
        f"/alder/placements/{ready.placement_id}/end").get_data(as_text=True)


def test_the_suspend_page_names_each_school_that_will_be_told(app, world, ready):
    client = _client(app, world, "a.ap_leader")
    post_form(client, f"/alder/placements/{ready.placement_id}/start", {},
              form_url=f"/alder/placements/{ready.placement_id}/start")
    page = plain_html(client.get(f"/alder/providers/{ready.provider_id}/suspend").get_data(as_text=True))
    told = page.split("<h2>Who will be told</h2>")[1].split("</ul>")[0]
    assert "Alder School (1 active placement): its" in told and "by urgent email" in told
    assert "Birch School" not in told


MONDAY = "2026-03-16"


def test_not_located_from_the_page_asks_first_and_then_starts_the_procedure(app, world, calendar_a):
    lead = world.users["trust.trust_safeguarding_lead"].full_name
    dsl, school_id = world.users["a.dsl"].email, world.a.id
    with school_time("2026-03-09 10:00"):
        active_placement(world, first_name="Robin", weekdays=(0,))
    with school_time(f"{MONDAY} 10:31"):
        attendance_cutoffs()
    with system_scope("test"):
        check_id = db.session.scalar(select(WelfareCheck.id))
    values = {"method": "call", "outcome": "not_located", "notes": "No answer at home", "checked_on-day": "16",
              "checked_on-month": "3", "checked_on-year": "2026", "checked_time": "10:50", "absence_reason": ""}
    with school_time(f"{MONDAY} 10:55"):
        client = fresh_client(app)
        assert sign_in(client, dsl).status_code == 302
        asked = post_form(client, f"/alder/welfare-checks/{check_id}/record", {**values, "review": "yes"},
                          form_url=f"/alder/welfare-checks/{check_id}")
        page = plain_html(asked.get_data(as_text=True))
        assert asked.status_code == 200 and "Record Robin Example as not located?" in page
        assert "The missing-child procedure starts now:" in page
        told = page.split("<h2>Who will be told</h2>")[1].split("</ul>")[0]
        assert lead in told
        with school_scope(school_id):
            db.session.expire_all()
            assert db.session.get(WelfareCheck, check_id).recorded_at is None  # nothing yet
        # The confirmation carries what was typed; its button records it.
        carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
        assert carried["outcome"] == "not_located" and carried["checked_on-day"] == "16" and "review" not in carried
        done = post_form(client, f"/alder/welfare-checks/{check_id}/record", carried,
                         form_url=f"/alder/welfare-checks/{check_id}")
    assert done.status_code == 302
    with school_scope(school_id):
        db.session.expire_all()
        check = db.session.get(WelfareCheck, check_id)
        assert check.outcome.value == "not_located" and check.missing_procedure_started_at is not None
