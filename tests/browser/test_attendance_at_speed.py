"""Attendance today at speed (issue 14 item 5): a whole morning confirmed by keyboard alone, fewer than 3 key
presses a pupil; after each save the page is back at the next row still to confirm, with the focus on it."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term
from tenants import school_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.browser.accessibility import axe_violations
from tests.browser.test_attendance_journey import last_school_day
from tests.browser.test_journeys import sign_in
from tests.helpers import school_time

PUPILS = ("Ash", "Bo", "Cal", "Dee", "Eli", "Fin")


def test_a_whole_morning_by_keyboard_in_under_3_key_presses_a_pupil(page: Page, world, screenshot):
    day = last_school_day(clock.today())
    with school_scope(world.a.id):
        db.session.add(HalfTerm(school_id=world.a.id, academic_year=day.year - (day.month < 9), term=Term.AUTUMN,
                                part=2, first_day=day - timedelta(days=20), last_day=day + timedelta(days=20)))
        db.session.commit()
    with school_time("2026-03-09 10:00"):
        first = active_placement(world, first_name=PUPILS[0], weekdays=(0, 1, 2, 3, 4))
        for name in PUPILS[1:]:
            active_placement(world, first_name=name, weekdays=(0, 1, 2, 3, 4), provider_id=first.provider_id)
    morning_sweep(day.isoformat())  # the 07:30 sweep: the page only reads

    sign_in(page, world.users["a.attendance_officer"].email)
    page.goto(f"/alder/attendance/?day={day.isoformat()}")
    expect(page.locator("#summary")).to_contain_text(f"{len(PUPILS)} of {len(PUPILS)} sessions still to confirm")
    assert axe_violations(page) == []

    presses = 0
    for done, name in enumerate(PUPILS, start=1):
        # The focus is on the first choice of this pupil's row, with nothing pressed to get there.
        row = page.get_by_role("region", name="Still to confirm").get_by_role("row", name=f"{name} Example")
        expect(row.get_by_label("Attended")).to_be_focused()
        page.keyboard.press("Space")  # choose "Attended"
        page.keyboard.press("Enter")  # save the row
        presses += 2
        expect(page.get_by_role("status")).to_contain_text(f"{name} Example, AM: attended (code B)")
        expect(page.locator("#summary")).to_contain_text(f"{len(PUPILS) - done} of {len(PUPILS)} sessions")

    expect(page.get_by_role("region", name="Still to confirm")).to_contain_text("Nothing is waiting to be confirmed")
    assert presses / len(PUPILS) < 3, presses
    screenshot()


def test_late_by_keyboard_is_still_a_few_presses(page: Page, world):
    day = last_school_day(clock.today())
    with school_scope(world.a.id):
        db.session.add(HalfTerm(school_id=world.a.id, academic_year=day.year - (day.month < 9), term=Term.AUTUMN,
                                part=2, first_day=day - timedelta(days=20), last_day=day + timedelta(days=20)))
        db.session.commit()
    with school_time("2026-03-09 10:00"):
        first = active_placement(world, first_name="Ash", weekdays=(0, 1, 2, 3, 4))
        active_placement(world, first_name="Bo", weekdays=(0, 1, 2, 3, 4), provider_id=first.provider_id)
    morning_sweep(day.isoformat())
    sign_in(page, world.users["a.attendance_officer"].email)
    page.goto(f"/alder/attendance/?day={day.isoformat()}")
    page.keyboard.press("ArrowDown")  # from "Attended" to "Late" (arrow keys choose a radio)
    page.keyboard.press("Tab")  # to "Minutes late"
    page.keyboard.type("15")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Ash Example, AM: late (code")
    bo = page.get_by_role("region", name="Still to confirm").get_by_role("row", name="Bo Example")
    expect(bo.get_by_label("Attended")).to_be_focused()
