"""Issue 6: the attendance officer's morning in the browser. They sign in, open today's page, see the unconfirmed
sessions with the provider's phone, confirm one attended and one absent with a reason, confirm the provider's
remaining sessions at once, download the register codes, and see nothing left unconfirmed."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term
from app.school_calendar import bank_holiday_name
from tenants import school_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.helpers import school_time


def last_school_day(today: date) -> date:
    """Today when it is a weekday and no bank holiday (the journey's calendar has no training day), else the last
    such day before it: the journey runs whatever day the suite does."""
    day = today
    while day.weekday() >= 5 or bank_holiday_name(day):
        day -= timedelta(days=1)
    return day


def test_attendance_officers_morning(page: Page, world, screenshot):
    today = clock.today()
    day = last_school_day(today)
    with school_scope(world.a.id):  # a half-term around the day, so it is a school day of school A
        db.session.add(HalfTerm(school_id=world.a.id, academic_year=day.year - (day.month < 9), term=Term.AUTUMN,
                                part=2, first_day=day - timedelta(days=20), last_day=day + timedelta(days=20)))
        db.session.commit()
    every_day = (0, 1, 2, 3, 4)
    with school_time("2026-03-09 10:00"):  # the placements start on Monday 16 March 2026
        robin = active_placement(world, first_name="Robin", weekdays=every_day)
        active_placement(world, first_name="Ash", weekdays=every_day, provider_id=robin.provider_id)
        active_placement(world, first_name="Kit", weekdays=every_day, provider_id=robin.provider_id)
    morning_sweep(day.isoformat())  # the 07:30 sweep made the day's sessions: the page only reads

    sign_in(page, world.users["a.attendance_officer"].email)
    if day == today:
        navigate(page, "Attendance today")
    else:  # a weekend or bank holiday: the last school day, as the officer would open it on Monday morning
        page.goto(f"/alder/attendance/?day={day.isoformat()}")
    expect(page.locator("#summary")).to_have_text("3 of 3 sessions still to confirm. Download the register codes (CSV)")
    still = page.get_by_role("region", name="Still to confirm")
    expect(still.get_by_role("link", name="01632 960000").first).to_be_visible()
    assert_no_serious_violations(page)

    robin_row = still.get_by_role("row", name="Robin Example")
    robin_row.get_by_label("Attended").check()
    robin_row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Robin Example, AM: attended (code B)")

    ash = page.get_by_role("region", name="Still to confirm").get_by_role("row", name="Ash Example")
    ash.get_by_label("How you know").select_option("parent")
    ash.get_by_label("Absent").check()
    ash.get_by_label("Absence reason").select_option("I")
    ash.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Ash Example, AM: absent (code I)")
    expect(page.locator("#summary")).to_contain_text("1 of 3 sessions still to confirm")

    providers = page.get_by_role("region", name="Providers")
    providers.get_by_role("button", name="Confirm all 1 as attended").click()
    expect(page.get_by_role("status")).to_contain_text("1 session at Provider for Robin confirmed as attended")
    expect(page.locator("#summary")).to_contain_text("0 of 3 sessions still to confirm")
    expect(page.get_by_role("region", name="Still to confirm")).to_contain_text("Nothing is waiting to be confirmed")

    export = page.get_by_role("link", name="Download the register codes (CSV)").get_attribute("href")
    response = page.request.get(export)
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    rows = {r["First name"]: r for r in csv.DictReader(io.StringIO(response.text()))}
    assert {name: (r["Register code"], r["Status"]) for name, r in rows.items()} == {
        "Robin": ("B", "confirmed"), "Ash": ("I", "confirmed"), "Kit": ("B", "confirmed")}
    assert rows["Ash"]["Confirmed how"] == "parent" and rows["Robin"]["Date"] == day.isoformat()
    assert_no_serious_violations(page)
    screenshot()
