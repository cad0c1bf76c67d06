"""Issue 15 (section 10), in the browser: the AP leader records a parent's written request for flexi-schooling;
the headteacher decides it with reasons and draws up the agreement (whole blocks at home); the parent's notice is
recorded (refused without a reason under four weeks); the school view and the trust's counts show it. Axe on
every new page. Runs on the real clock."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app import clock
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.flexi.conftest import new_pupil
from tests.jobs.schedule_fixtures import Ids


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()


def test_request_to_agreement_to_withdrawal(page: Page, world, screenshot):
    ids = Ids(world)
    new_pupil(ids.a, "Ellis")
    today = clock.today()
    ddmmyyyy = "%Y-%m-%d"  # what a date input takes

    sign_in(page, ids.emails["a.ap_leader"])
    navigate(page, "Flexi-schooling")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flexi-schooling")
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Record a request").click()
    page.get_by_role("button", name="Save the request").click()  # empty: refused, naming the fields
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the pupil the request is for.")
    assert_no_serious_violations(page)
    page.get_by_label("Pupil", exact=True).select_option(label="Ellis Flexitest (year 4)")
    page.get_by_label("Date the written request was received").fill(today.strftime(ddmmyyyy))
    page.get_by_label("Parent or carer who made the request").fill("Morgan Parent")
    page.get_by_label("What the request asks for and why").fill("Fridays at home for forest school.")
    page.get_by_label("Friday morning").check()
    page.get_by_label("Friday afternoon").check()
    page.get_by_role("button", name="Save the request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ellis Flexitest")
    expect(page.get_by_role("main")).to_contain_text("Friday: whole day")
    expect(page.get_by_role("main")).to_contain_text("Only the headteacher decides")
    assert_no_serious_violations(page)
    sign_out(page)

    sign_in(page, ids.emails["a.headteacher"])
    page.goto("/alder/flexi-schooling/")
    page.get_by_role("link", name="Ellis Flexitest").click()
    page.get_by_label("Approve the request").check()
    page.get_by_label("Reasons for the decision").fill("Good progress; a clear plan for Fridays.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("main")).to_contain_text("There is no right of appeal")
    assert_no_serious_violations(page)
    page.get_by_label("Date the letter was sent").fill(today.strftime(ddmmyyyy))
    page.get_by_role("button", name="Record the letter as sent").click()
    page.get_by_role("link", name="Draw up the agreement").click()
    expect(page.get_by_label("Friday morning")).to_be_checked()  # the proposed pattern, to change if agreed
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("section 7 of the Education Act 1996")
    assert_no_serious_violations(page)
    for label, text in (("Key information about the pupil and their needs", "Year 4; anxious in large groups"),
                        ("The rationale for flexi-schooling", "A shorter week keeps attendance steady"),
                        ("Date the arrangement begins", today.strftime(ddmmyyyy)),
                        ("The education provided at home", "Forest school and music"),
                        ("How the parent or carer will make sure it meets section 7", "A weekly plan"),
                        ("Who is primarily responsible for the pupil's welfare at home", "Morgan Parent"),
                        ("Curriculum at school", "The full Year 4 curriculum"),
                        ("Assessments at school", "Termly reading and maths")):
        page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Save the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ellis Flexitest")
    expect(page.get_by_role("main")).to_contain_text("ap@la.example.org")  # 10.7: the LA told
    assert_no_serious_violations(page)

    page.get_by_role("link", name="Record a withdrawal").click()
    page.get_by_label("The parent or carer").check()
    page.get_by_label("Date notice was given").fill(today.strftime(ddmmyyyy))
    page.get_by_label("Date the arrangement ends").fill((today + timedelta(days=14)).strftime(ddmmyyyy))
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("less than four weeks")
    assert_no_serious_violations(page)
    page.get_by_label("Reason (required with less than four weeks' notice)").fill("The family is moving away.")
    page.get_by_role("button", name="Record the withdrawal").click()
    expect(page.get_by_role("main")).to_contain_text("The family is moving away.")
    page.goto("/alder/")
    expect(page.get_by_role("region", name="Flexi-schooling")).to_contain_text("1 current agreement")
    assert_no_serious_violations(page)
    screenshot()
    sign_out(page)

    sign_in(page, ids.emails["trust.trust_safeguarding_lead"])
    page.goto("/trust/flexi-schooling")
    expect(page.get_by_role("row", name=re.compile("Alder School"))).to_contain_text("1")
    assert_no_serious_violations(page)
