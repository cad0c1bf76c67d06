"""Issue 5, done when: in the browser an AP leader takes a fictional pupil from referral to an active placement
(the pupils' pages for what precedes it), sees the LA notification recorded, and closes the placement with a
destination; the trust safeguarding lead sees the placement in the cross-school view."""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import Pupil
from tenants import school_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.forms import fill_date
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.placements.conftest import vetted_provider


def last_weekday_before(day: date) -> date:
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def follow_missing(page: Page, text: str) -> None:
    page.get_by_role("region", name="What is still missing").get_by_role("link", name=re.compile(text)).click()


def test_ap_leader_commissions_starts_and_ends_a_placement(page: Page, world, screenshot):
    vetted_provider(world, name="Meadow Farm Learning")
    with school_scope(world.a.id):
        db.session.add(Pupil(upn="J801200000001", first_name="Jamie", last_name="Fictional",
                             date_of_birth=date(2012, 5, 17), year_group=9))
        db.session.commit()
    today = clock.today()
    start = last_weekday_before(today)  # started this week (or last), so it can be ended today
    sign_in(page, world.users["a.ap_leader"].email)

    navigate(page, "Placements")
    page.get_by_role("link", name="Plan a new placement").click()
    page.get_by_label("Pupil", exact=True).select_option(label="Fictional, Jamie (year 9)")
    page.get_by_label("Provider", exact=True).select_option(label="Meadow Farm Learning (off-site)")
    fill_date(page, "Start date", start)
    page.get_by_role("button", name="Plan the placement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jamie Fictional at Meadow Farm Learning")
    missing = page.get_by_role("region", name="What is still missing")
    expect(missing).to_contain_text("Complete the needs analysis")
    assert_no_serious_violations(page)
    placement_url = page.url

    follow_missing(page, "needs analysis")
    page.get_by_label("Academic needs").fill("Working below expected in maths")
    page.get_by_label("Personal needs").fill("Anxious in large groups")
    page.get_by_label("Social needs").fill("Few friendships")
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Options considered and why this one").fill("Inclusion room first; a farm suits them")
    page.get_by_role("button", name=re.compile("Save|Record")).click()

    page.goto(placement_url)
    follow_missing(page, "risk assessment")
    fill_date(page, "Date of the assessment", (start - timedelta(days=3)))
    page.get_by_label("Risks").fill("Leaving site when anxious")
    page.get_by_label("Control measures").fill("Met at the gate; quiet space agreed")
    fill_date(page, "Review due", (today + timedelta(days=60)))
    page.get_by_role("button", name=re.compile("Save|Record")).click()

    page.goto(placement_url)
    follow_missing(page, "Consult the parents")
    page.get_by_label("How").select_option(index=1)
    page.get_by_label("Their views").fill("Supportive")
    page.get_by_label("The school's decision").fill("Two mornings a week at the farm")
    page.get_by_role("button", name=re.compile("Save|Record")).click()

    page.goto(placement_url)
    follow_missing(page, "key information")
    fill_date(page, "Date shared with the provider", start)
    page.get_by_label("What was shared and how").fill("One-page profile sent by secure email")
    page.get_by_role("button", name="Record it").click()

    follow_missing(page, "commissioning agreement")
    for label, value in (("Aims and planned outcomes", "Re-engage"), ("Curriculum and qualifications", "Maths"),
                         ("Personal development", "Mentoring"), ("Careers information", "Two sessions"),
                         ("Induction", "A visit"), ("Pastoral care", "Key worker"),
                         ("Attendance: how", "Call by 10:00"), ("Safeguarding, including", "DSL named"),
                         ("Communication with the school", "Weekly email"), ("Cost (£)", "45.00"),
                         ("How the placement is reviewed", "Meeting with the family"),
                         ("Reviews every (weeks)", "6")):
        page.get_by_label(label).fill(value)
    fill_date(page, "Date agreed with the provider", start)
    page.get_by_label("The cost is").select_option("session")
    page.get_by_role("button", name="Save the agreement").click()

    follow_missing(page, "weekly pattern")
    page.get_by_label("Monday AM at the provision").check()
    page.get_by_label("Monday AM starts").fill("09:00")
    page.get_by_label("Monday AM ends").fill("12:00")
    page.get_by_role("button", name="Save the weekly pattern").click()

    expect(page.get_by_text("Nothing is missing: the placement is ready to start.")).to_be_visible()
    page.get_by_role("button", name="Start the placement").click()
    # The confirmation page says what starting does and who is told, before it is done (issue 14 item 3).
    expect(page.get_by_role("heading", level=1)).to_have_text("Start the placement?")
    expect(page.get_by_role("main")).to_contain_text("Who will be told")
    expect(page.get_by_role("main")).to_contain_text("the placement notice, by email")
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Yes, start the placement").click()
    expect(page.get_by_role("status").first).to_contain_text("The local authority has been informed.")
    expect(page.get_by_text("Active", exact=True)).to_be_visible()

    navigate(page, "External notices")
    expect(page.get_by_role("main")).to_contain_text("Placement of JF at Meadow Farm Learning")

    page.goto(placement_url)
    page.get_by_role("link", name="End the placement").click()
    page.get_by_role("button", name="End the placement").click()  # no destination: refused, naming the field
    expect(page.get_by_role("alert")).to_contain_text("Destination after the placement")
    assert_no_serious_violations(page)
    page.get_by_label("Destination after the placement").fill("Returned to full-time lessons")
    page.get_by_label("The pupil's own assessment").fill("I liked the farm")
    page.get_by_role("button", name="End the placement").click()
    expect(page.get_by_role("main")).to_contain_text("Returned to full-time lessons")
    screenshot()


def test_trust_safeguarding_lead_sees_placements_across_schools(page: Page, world, screenshot):
    from tests.placements.conftest import make_ready_placement

    make_ready_placement(world, first_name="Robin")
    sign_in(page, world.users["trust.trust_safeguarding_lead"].email)
    page.goto("/trust/placements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Placements across the trust")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Alder School")
    expect(table).to_contain_text("Meadow Farm Learning")
    expect(table).not_to_contain_text("Robin")
    assert_no_serious_violations(page)
    screenshot()
