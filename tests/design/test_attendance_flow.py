"""Attendance today at speed (issue 14 item 5), on the server: one outcome and one save per row, back to the next
row still to confirm with the focus on it, the provider's main phone and email when it has no named contact, and
a day that is not a school day pointing to the school days either side of it."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, ProviderContact
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement, calendar_a, morning_sweep  # noqa: F401
from tests.helpers import fresh_client, plain_html, post_form, school_time, sign_in

MONDAY = "2026-03-16 09:45"
PAGE = "/alder/attendance/"


@pytest.fixture
def three(world, calendar_a):  # noqa: F811
    with school_time("2026-03-09 10:00"):
        ash = active_placement(world, first_name="Ash", weekdays=(0,))
        active_placement(world, first_name="Bo", weekdays=(0,), provider_id=ash.provider_id)
        active_placement(world, first_name="Cal", weekdays=(0,), provider_id=ash.provider_id)
    morning_sweep("2026-03-16")
    return ash


def _officer(app, world):
    client = fresh_client(app)
    assert sign_in(client, world.users["a.attendance_officer"]).status_code == 302
    return client


def _session_ids(world) -> dict[str, int]:
    with school_scope(world.a.id):
        return {s.pupil.first_name: s.id for s in db.session.scalars(select(AttendanceSession))}


def test_each_row_has_one_outcome_choice_and_one_save(app, world, three):
    with school_time(MONDAY):
        page = _officer(app, world).get(PAGE).get_data(as_text=True)
    ids = _session_ids(world)
    for name, session_id in ids.items():
        form = page.split(f'action="/alder/attendance/sessions/{session_id}/confirm"')[1].split("</form>")[0]
        assert re.findall(r'name="outcome" type="radio" value="(\w+)"', form) == ["attended", "late", "absent"]
        assert form.count('type="submit"') == 1 and f">Save<span class=\"govuk-visually-hidden\"> {name} Example, AM" in form
    # The first row still to confirm has the focus when the page opens; no other does.
    assert page.count(" autofocus") == 1
    assert re.search(rf'id="outcome-{ids["Ash"]}" name="outcome" type="radio" value="attended" autofocus', page)


def test_saving_a_row_returns_to_the_next_one_still_to_confirm_with_the_focus_on_it(app, world, three):
    with school_time(MONDAY):
        client = _officer(app, world)
        client.get(PAGE)  # the day's sessions are made when the page is first opened
        ids = _session_ids(world)
        saved = post_form(client, f"/alder/attendance/sessions/{ids['Bo']}/confirm",
                          {"outcome": "attended", "via": "call"}, form_url=PAGE)
        assert saved.status_code == 302 and saved.headers["Location"] == f"{PAGE}?focus={ids['Cal']}"
        page = client.get(saved.headers["Location"]).get_data(as_text=True)
        assert re.search(rf'id="outcome-{ids["Cal"]}" name="outcome" type="radio" value="attended" autofocus', page)
        # The last row below is done: back to the first one above still to confirm.
        saved = post_form(client, f"/alder/attendance/sessions/{ids['Cal']}/confirm",
                          {"outcome": "absent", "via": "parent", "absence_reason": "I"}, form_url=PAGE)
        assert saved.headers["Location"] == f"{PAGE}?focus={ids['Ash']}"
        saved = post_form(client, f"/alder/attendance/sessions/{ids['Ash']}/confirm",
                          {"outcome": "late", "via": "call", "minutes_late": "10"}, form_url=PAGE)
        assert saved.headers["Location"] == f"{PAGE}#confirmed-heading"  # nothing left


def test_a_provider_with_no_named_contact_shows_its_main_phone_and_email(app, world, three):
    with system_scope("test: the provider's named contact leaves"):
        for contact in db.session.scalars(select(ProviderContact).where(ProviderContact.provider_id == three.provider_id)):
            contact.archived_at = datetime(2026, 3, 10, tzinfo=UTC)
        from app.models import Provider

        provider = db.session.get(Provider, three.provider_id)
        provider.phone, provider.email = "01632 960999", "main@provider.example.org"
        db.session.commit()
    with school_time(MONDAY):
        page = plain_html(_officer(app, world).get(PAGE).get_data(as_text=True))
    assert 'Main line, <a href="tel:01632960999">01632 960999</a>, <a href="mailto:main@provider.example.org">' in page
    assert "No contact recorded" not in page


def test_a_day_that_is_not_a_school_day_offers_the_school_days_either_side(app, world, three):
    with school_time("2026-03-14 09:00"):  # a Saturday
        page = plain_html(_officer(app, world).get(PAGE).get_data(as_text=True))
    assert "Saturday 14 March 2026 is not a school day" in page
    assert '<a href="/alder/attendance/?day=2026-03-13">The school day before: Friday 13 March</a>' in page
    # The next one is still to come, and offered all the same.
    assert '<a href="/alder/attendance/?day=2026-03-16">The next school day: Monday 16 March</a>' in page


def test_another_schools_officer_cannot_confirm_a_row(app, world, three):
    with school_time(MONDAY):
        _officer(app, world).get(PAGE)
    ids = _session_ids(world)
    other = world.users["b.attendance_officer"].email
    with school_time(MONDAY):
        client = fresh_client(app)
        assert sign_in(client, other).status_code == 302
        response = post_form(client, f"/birch/attendance/sessions/{ids['Ash']}/confirm",
                             {"outcome": "attended", "via": "call"}, form_url="/birch/attendance/")
    assert response.status_code == 404
