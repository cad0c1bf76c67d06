"""Browser journey (issue 4): an AP leader takes a new provider from first contact to vetted; another school's AP
leader, with a pupil planned there, sees the vetting result and a concern; the trust sees the register's 7.2 risk."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import PlacementStatus, Provider
from tenants import system_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.providers.conftest import place


def test_a_provider_from_first_contact_to_vetted_then_seen_by_another_school(page: Page, world, screenshot):
    sign_in(page, world.users["a.ap_leader"].email)
    page.goto("/alder/")
    navigate(page, "Providers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Provider register")
    page.get_by_role("link", name="Add a provider").click()

    # First contact: the error summary names the missing fields, then the details go in.
    page.get_by_role("button", name="Save provider").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link", name="Name: Enter the provider's name.")).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_label("Name", exact=True).fill("Willow Bank Workshop")
    page.get_by_label("Off-site").check()
    page.get_by_label("Unregistered").check()
    page.get_by_label("Website").fill("https://willowbank.example.org")
    page.get_by_role("button", name="Save provider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Willow Bank Workshop")
    expect(page.locator("#status")).to_contain_text("Not vetted")

    page.get_by_role("link", name="Add a site").click()
    page.get_by_label("Site name").fill("The Workshop")
    page.get_by_label("Address").fill("3 Canal Side, Testville")
    page.get_by_label("Postcode").fill("TE4 5WB")
    page.get_by_role("button", name="Save site").click()
    expect(page.get_by_text("The Workshop: 3 Canal Side, Testville, TE4 5WB")).to_be_visible()

    # The pre-placement checks: approval is refused while any item is missing.
    page.get_by_role("button", name="Start pre-placement checks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pre-placement checks: Willow Bank Workshop")
    assert_no_serious_violations(page)
    checklist_url = page.url
    page.get_by_role("link", name="Risk assessment and approval").click()
    page.get_by_label("Low").check()
    page.get_by_role("button", name="Approve the risk assessment").click()
    expect(page.get_by_role("alert")).to_contain_text("These checks are not done yet")
    expect(page.locator("#items")).to_contain_text("Written confirmation that the staff safeguarding checks")

    # Each check answered in place on the one page (issue 14 item 2), then saved together.
    page.goto(checklist_url)
    answers = page.locator(".app-check-answer")
    expect(answers).to_have_count(25)
    for i in range(25):
        answer = answers.nth(i)
        answer.get_by_label("Met", exact=True).check()
        answer.get_by_label(re.compile("Evidence, or why it does not apply")).fill("Seen on the visit")
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("status")).to_contain_text("Saved 25 checks.")
    expect(page.get_by_text("25 of 25 checks done.")).to_be_visible()
    # Vetting needs a contact too: the page's task for it leads to the form, and then to the approval.
    page.get_by_role("link", name="A contact at the provider").click()
    page.get_by_label("Name").fill("Jo Bench")
    page.get_by_label("Email address").fill("jo@willowbank.example.org")
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    page.goto(checklist_url)
    assert_no_serious_violations(page)  # the task list, every item done
    page.get_by_role("button", name="Risk assessment and approval").click()
    page.get_by_label("Medium").check()
    page.get_by_label("Risks found").fill("Workshop tools")
    page.get_by_label("Mitigations").fill("Supervised use only; PPE provided")
    page.get_by_role("button", name="Approve the risk assessment").click()
    expect(page.get_by_role("status")).to_contain_text("The risk assessment is approved")
    expect(page.locator("#status")).to_contain_text("Vetted")

    # A concern, raised by Alder, for every school using the provider.
    with system_scope("test: the provider made in the browser"):
        provider_id = db.session.scalar(select(Provider.id).where(Provider.name == "Willow Bank Workshop"))
    place(world.b.id, provider_id, status=PlacementStatus.PLANNED)
    page.get_by_role("link", name="Raise a concern").click()
    page.get_by_label("What the concern is about").select_option("attendance")
    page.get_by_label("Medium").check()
    page.get_by_label("Details").fill("Morning registers sent late three days running")
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.get_by_role("status")).to_contain_text("The concern is recorded")

    # Birch's AP leader sees the result and the concern.
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, world.users["b.ap_leader"].email)
    page.goto("/birch/providers/?status=vetted")
    page.get_by_role("link", name="Willow Bank Workshop").click()
    expect(page.locator("#status")).to_contain_text("Vetted")
    expect(page.locator("#status")).to_contain_text("1 open concern")
    concerns = page.locator("#concerns")
    expect(concerns).to_contain_text("Morning registers sent late three days running")
    expect(concerns).to_contain_text("Alder School")
    expect(page.get_by_role("table", name="Provider risk assessments")).to_contain_text("Alder School")
    assert_no_serious_violations(page)
    screenshot()
