"""The provider's page on a 375-pixel phone screen (issue 14 item 6, in part): nothing wider than the screen, the
navigation behind its menu button, and the page's actions reachable."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.attendance.conftest import active_placement
from tests.browser.accessibility import axe_violations
from tests.browser.test_journeys import sign_in
from tests.helpers import school_time


def test_the_provider_page_fits_a_phone(page: Page, world, screenshot):
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0, 1, 2, 3, 4))
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, world.users["a.ap_leader"].email)
    page.goto(f"/alder/providers/{robin.provider_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Provider for Robin")
    # Nothing makes the page scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    # The service navigation folds behind its menu button, which opens it.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Providers")).to_be_visible()
    expect(page.get_by_role("button", name="Suspend")).to_be_visible()
    assert axe_violations(page) == []
    screenshot()


def test_a_providers_link_is_issued_emailed_and_copied_on_a_phone(page: Page, world, screenshot):
    """Issue 14 item 6: the link is emailed to the provider's contact through the outbox, and copied with one
    button, on a 375-pixel screen."""
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0, 1, 2, 3, 4))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, world.users["a.attendance_officer"].email)
    page.goto("/alder/attendance/provider-links/")
    page.get_by_label("Provider", exact=True).select_option(str(robin.provider_id))
    page.get_by_label("Email the link to the provider's contact").check()
    page.get_by_role("button", name="Issue the link").click()
    expect(page.get_by_role("main")).to_contain_text("It is on its way by email to Dana Office")
    link = page.get_by_role("textbox", name="The new link").input_value()
    page.bring_to_front()  # the clipboard is only for the page in front
    page.get_by_role("button", name="Copy the link").click()
    said = page.locator("#new-link-copied")
    expect(said).to_have_text(re.compile(r"^(Copied\.|The link is selected: press Ctrl\+C to copy it\.)$"))
    if said.text_content() == "Copied.":
        assert page.evaluate("navigator.clipboard.readText()") == link
    else:  # a headless browser under load may not copy: the link is then selected, ready for Ctrl+C
        assert page.evaluate("document.activeElement.id") == "new-link"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide on a 375px screen"
    assert axe_violations(page) == []
    screenshot()
