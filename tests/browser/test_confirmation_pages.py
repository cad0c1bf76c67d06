"""Confirmation pages in the browser (issue 14 item 3): "not located" and suspending a provider say what follows
and who is told, and nothing happens until the person confirms."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.attendance.conftest import active_placement
from tests.browser.accessibility import axe_violations
from tests.browser.test_journeys import sign_in
from tests.helpers import school_time


def test_recording_not_located_asks_first_and_names_the_trust_safeguarding_lead(page: Page, world, screenshot):
    lead = world.users["trust.trust_safeguarding_lead"].full_name
    with school_time("2026-03-09 10:00"):
        active_placement(world, first_name="Robin", weekdays=(0, 1, 2, 3, 4))
    sign_in(page, world.users["a.dsl"].email)
    page.goto("/alder/welfare-checks/new")
    page.get_by_label("Pupil").select_option(label="Robin Example (year 9)")
    page.get_by_role("button", name="Raise the check").click()
    page.get_by_role("group", name="How the check was made").get_by_label("Telephone call").check()
    page.get_by_role("group", name="Outcome").get_by_label("Pupil not located").check()
    page.get_by_role("button", name="Record").click()
    # Without notes it would be refused: the form says so first, before asking to confirm.
    expect(page.get_by_role("alert")).to_contain_text("Say what was tried and who was contacted")
    page.get_by_role("textbox", name="Notes").fill("No answer at home or on the carer's mobile")
    page.get_by_role("button", name="Record").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Record Robin Example as not located?")
    expect(page.get_by_role("main")).to_contain_text("The missing-child procedure starts now")
    expect(page.get_by_role("main")).to_contain_text(f"{lead}, Trust Safeguarding Lead: by urgent email.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Yes, record not located").click()
    expect(page.get_by_role("heading", name="Not located: the missing-child procedure")).to_be_visible()
    screenshot()


def test_suspending_a_provider_lists_the_schools_told_and_is_a_warning_button(page: Page, world):
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0, 1, 2, 3, 4))
    sign_in(page, world.users["a.ap_leader"].email)
    page.goto(f"/alder/providers/{robin.provider_id}")
    page.get_by_role("button", name="Suspend").click()
    told = page.get_by_role("main")
    expect(told).to_contain_text("Alder School (1 active placement)")
    assert axe_violations(page) == []
    button = page.get_by_role("button", name="Suspend the provider")
    expect(button).to_have_class("govuk-button govuk-button--warning")
    button.click()  # no reason: refused, nothing suspended
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
