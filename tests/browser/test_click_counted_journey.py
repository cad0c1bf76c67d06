"""Issue 14, done when: the whole journey (add a provider, complete its checks and vet it, add a pupil, refer them,
commission a placement, start it, confirm the first session) takes at most 50 clicks (it was about 115).

One AP leader does it all in Chromium, through the pages a person would use (the navigation, the links the pages
offer; no typed addresses after signing in). `Clicks` wraps every action that costs a click: a click on a link or
button, choosing a radio or checkbox, choosing from a select, and Enter pressed to submit. Typing into a box is
not a click. The count is printed, and the test fails above 50.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term
from app.services.attendance import ensure_expected_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope
from tests.browser.accessibility import axe_violations
from tests.browser.forms import fill_date
from tests.browser.navigation import GROUP_OF
from tests.browser.test_attendance_journey import last_school_day
from tests.factories import PASSWORD

LIMIT = 50


@dataclass
class Clicks:
    """Every click (or keypress that submits) of the journey, each with what it was for."""

    page: Page
    log: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.log)

    def click(self, target: Locator, why: str) -> None:
        target.click()
        self.log.append(why)

    def check(self, target: Locator, why: str) -> None:
        target.check()
        self.log.append(why)

    def select(self, target: Locator, why: str, **option) -> None:
        target.select_option(**option)
        self.log.append(why)

    def submit_by_enter(self, target: Locator, why: str) -> None:
        target.press("Enter")
        self.log.append(why)

    def picture(self, name: str) -> None:
        """The page as it looks now (the screen, not the whole page), when APHUB_SCREENSHOT_DIR names a folder:
        docs/screenshots/after/ holds the ones of the pages issue 14 changed. Not a click."""
        folder = os.environ.get("APHUB_SCREENSHOT_DIR")
        if folder:
            self.page.screenshot(path=os.path.join(folder, f"{name}.png"))

    def navigate(self, name: str) -> None:
        """A page of the service navigation: its group, then the page when the group did not open on it."""
        group = GROUP_OF[name]
        self.click(self.page.get_by_role("navigation", name="Main").get_by_role("link", name=group),
                   f"navigation: {group}")
        link = self.page.get_by_role("navigation", name=group).get_by_role("link", name=name, exact=True)
        if link.get_attribute("aria-current") != "page":
            self.click(link, f"navigation: {name}")


def _school_day_around(world, day) -> None:
    with school_scope(world.a.id):  # a half-term around the day, so it is a school day of school A
        db.session.add(HalfTerm(school_id=world.a.id, academic_year=day.year - (day.month < 9), term=Term.AUTUMN,
                                part=2, first_day=day - timedelta(days=20), last_day=day + timedelta(days=20)))
        db.session.commit()


def _add_provider(page: Page, clicks: Clicks) -> None:
    clicks.navigate("Providers")
    clicks.click(page.get_by_role("link", name="Add a provider"), "add a provider")
    page.get_by_label("Name", exact=True).fill("Brookside Learning Farm")
    clicks.check(page.get_by_label("Off-site"), "kind: off-site")
    clicks.check(page.get_by_label("Unregistered"), "registration: unregistered")
    page.get_by_label("Phone", exact=True).fill("01632 960123")
    page.get_by_label("Site name").fill("Brookside Farm")
    page.get_by_label("Site address").fill("1 Brook Lane, Testtown")
    page.get_by_label("Postcode").fill("TE1 2AB")
    page.get_by_label("Contact's name").fill("Morgan Example")
    page.get_by_label("Their email address").fill("morgan@brookside.example.org")
    assert axe_violations(page) == []
    page.get_by_role("heading", name="Where pupils are taught").scroll_into_view_if_needed()
    clicks.picture("new-provider-site-and-contact")
    clicks.click(page.get_by_role("button", name="Save provider"), "save the provider")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brookside Learning Farm")


def _check_and_vet(page: Page, clicks: Clicks) -> None:
    clicks.click(page.get_by_role("button", name="Start pre-placement checks"), "start the checks")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pre-placement checks: Brookside Learning Farm")
    assert axe_violations(page) == []
    # Every item answered in place: its evidence typed, then one save marks each evidenced check met.
    boxes = page.get_by_label(re.compile("Evidence, or why it does not apply"))
    assert boxes.count() == 25
    for i in range(boxes.count()):
        boxes.nth(i).fill("Seen on the visit of 2 December; copy kept in the provider file")
    clicks.picture("provider-checks-in-place")
    clicks.click(page.get_by_role("button", name="Mark each check with evidence as met and save"),
                 "save every check as met")
    expect(page.locator("#progress")).to_contain_text("25 of 25 checks done.")
    clicks.picture("provider-checks-done")
    clicks.click(page.get_by_role("button", name="Risk assessment and approval"), "risk assessment")
    clicks.check(page.get_by_label("Low"), "rating: low")
    clicks.click(page.get_by_role("button", name="Approve the risk assessment"), "approve")
    expect(page.get_by_role("status").first).to_contain_text("is vetted until")


def _add_and_refer_pupil(page: Page, clicks: Clicks, start) -> None:
    clicks.navigate("Pupils")
    clicks.click(page.get_by_role("link", name="Add a pupil"), "add a pupil")
    page.get_by_label("UPN (unique pupil number)").fill("N801200000042")
    page.get_by_label("First name (legal)").fill("Rowan")
    page.get_by_label("Last name (legal)").fill("Journey")
    fill_date(page, "Date of birth", start.replace(year=start.year - 14, day=1))
    clicks.select(page.get_by_label("Year group"), "year group", label="Year 9")
    clicks.click(page.get_by_role("button", name=re.compile("^(Save|Add)")), "save the pupil")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rowan Journey")

    clicks.click(page.get_by_role("link", name="Record a referral"), "record the referral")
    page.get_by_label("Academic needs").fill("Working below expected in maths")
    page.get_by_label("Personal needs").fill("Anxious in large groups")
    page.get_by_label("Social needs").fill("Few friendships")
    clicks.check(page.get_by_role("checkbox").first, "a reason (5.2)")
    page.get_by_label("Options considered and why this one").fill("Inclusion room first; a farm suits them")
    clicks.click(page.get_by_role("button", name=re.compile("Save|Record")), "save the referral")

    clicks.click(page.get_by_role("link", name="Record a risk assessment"), "record the risk assessment")
    fill_date(page, "Date of the assessment", start - timedelta(days=3))
    page.get_by_label("Risks").fill("Leaving site when anxious")
    page.get_by_label("Control measures").fill("Met at the gate; quiet space agreed")
    fill_date(page, "Review due", start + timedelta(days=60))
    clicks.click(page.get_by_role("button", name=re.compile("Save|Record")), "save the risk assessment")

    clicks.click(page.get_by_role("link", name="Record a consultation"), "record the consultation")
    clicks.select(page.get_by_label("How"), "how consulted", index=1)
    page.get_by_label("Their views").fill("Supportive")
    page.get_by_label("The school's decision").fill("Two mornings a week at the farm")
    clicks.click(page.get_by_role("button", name=re.compile("Save|Record")), "save the consultation")


def _commission_and_start(page: Page, clicks: Clicks, start) -> None:
    clicks.click(page.get_by_role("button", name="Plan a placement for this pupil"), "plan a placement")
    clicks.select(page.get_by_label("Provider", exact=True), "provider",
                  label="Brookside Learning Farm (off-site)")
    fill_date(page, "Start date", start)
    clicks.click(page.get_by_role("button", name="Plan the placement"), "plan it")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rowan Journey at Brookside Learning Farm")

    missing = page.get_by_role("region", name="What is still missing")
    clicks.click(missing.get_by_role("link", name=re.compile("key information")), "key information")
    fill_date(page, "Date shared with the provider", start)
    page.get_by_label("What was shared and how").fill("One-page profile sent by secure email")
    clicks.click(page.get_by_role("button", name="Record it"), "save key information")

    missing = page.get_by_role("region", name="What is still missing")
    clicks.click(missing.get_by_role("link", name=re.compile("commissioning agreement")), "agreement")
    for label, value in (("Aims and planned outcomes", "Re-engage"), ("Curriculum and qualifications", "Maths"),
                         ("Personal development", "Mentoring"), ("Careers information", "Two sessions"),
                         ("Induction", "A visit"), ("Pastoral care", "Key worker"),
                         ("Attendance: how", "Call by 10:00"), ("Safeguarding, including", "DSL named"),
                         ("Communication with the school", "Weekly email"), ("Cost (£)", "45.00"),
                         ("How the placement is reviewed", "Meeting with the family"),
                         ("Reviews every (weeks)", "6")):
        page.get_by_label(label).fill(value)
    fill_date(page, "Date agreed with the provider", start)
    clicks.select(page.get_by_label("The cost is"), "cost per session", value="session")
    clicks.click(page.get_by_role("button", name="Save the agreement"), "save the agreement")

    missing = page.get_by_role("region", name="What is still missing")
    clicks.click(missing.get_by_role("link", name=re.compile("weekly pattern")), "weekly pattern")
    weekday = f"{start:%A}"
    clicks.check(page.get_by_label(f"{weekday} AM at the provision"), "the day's morning")
    page.get_by_label(f"{weekday} AM starts").fill("09:00")
    page.get_by_label(f"{weekday} AM ends").fill("12:00")
    clicks.click(page.get_by_role("button", name="Save the weekly pattern"), "save the pattern")

    expect(page.get_by_text("Nothing is missing: the placement is ready to start.")).to_be_visible()
    clicks.click(page.get_by_role("button", name="Start the placement"), "start")
    expect(page.get_by_role("heading", level=1)).to_have_text("Start the placement?")
    clicks.click(page.get_by_role("button", name="Yes, start the placement"), "confirm the start")
    expect(page.get_by_text("Active", exact=True)).to_be_visible()


def _sessions_of(school_id: int, day) -> None:
    """The day's expected sessions, as the 07:30 sweep makes them."""
    with school_scope(school_id):
        ensure_expected_sessions(calendar_for_school(school_id), day)
        db.session.commit()
    db.session.remove()


def _confirm_first_session(page: Page, clicks: Clicks, day, today) -> None:
    clicks.navigate("Attendance today")
    if day != today:  # a weekend or holiday: the page offers the school day before
        clicks.click(page.get_by_role("link", name=re.compile("^Previous school day")), "previous school day")
    row = page.get_by_role("region", name="Still to confirm").get_by_role("row", name="Rowan Journey")
    clicks.check(row.get_by_label("Attended"), "attended")
    clicks.click(row.get_by_role("button", name="Save"), "save the session")
    expect(page.get_by_role("status")).to_contain_text("Rowan Journey, AM: attended (code B)")


def test_new_provider_to_first_attendance_in_at_most_50_clicks(page: Page, world, screenshot):
    today = clock.today()
    day = last_school_day(today)
    _school_day_around(world, day)
    clicks = Clicks(page)
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(world.users["a.ap_leader"].email)
    page.get_by_label("Password").fill(PASSWORD)
    clicks.click(page.get_by_role("button", name="Sign in"), "sign in")

    _add_provider(page, clicks)
    _check_and_vet(page, clicks)
    _add_and_refer_pupil(page, clicks, day)
    _commission_and_start(page, clicks, day)
    if day != today:  # starting makes today's sessions; a past school day's come from that morning's 07:30 sweep
        _sessions_of(world.a.id, day)  # (not under freezegun: moving the clock would end the browser's session)
    _confirm_first_session(page, clicks, day, today)

    print(f"\nnew provider to first attendance: {clicks.count} clicks")
    for n, why in enumerate(clicks.log, start=1):
        print(f"  {n:2}. {why}")
    screenshot()
    assert clicks.count <= LIMIT, f"{clicks.count} clicks: {clicks.log}"
