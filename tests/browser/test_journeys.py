"""Journeys through the real pages in Chromium (issue 2): what each person sees, asserted as visible text.

The world (tests/factories.build_world): schools Alder (a), Birch (b) and Cedar Infant (c); "Shared AP Leader"
leads AP in Alder and Cedar; one person per role in Alder and Birch; one person per trust role.
"""
from __future__ import annotations

import re

from flask import url_for
from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.factories import PASSWORD


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def contacts_table(page: Page, caption: str):
    return page.get_by_role("table", name=caption)


def test_sign_in_page_by_keyboard_with_errors_that_name_the_fields(page: Page, world, screenshot):
    page.goto("/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to AP Hub")
    assert_no_serious_violations(page)

    # The first Tab reaches the skip link; it takes a keyboard user straight to the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.press("Enter")  # submit with nothing typed

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Email address: Enter your email address.")).to_be_visible()
    expect(summary.get_by_role("link", name="Password: Enter your password.")).to_be_visible()
    summary.get_by_role("link", name=re.compile("^Password")).click()
    expect(page.get_by_label("Password")).to_be_focused()
    assert_no_serious_violations(page)  # the page with its errors, too

    page.get_by_label("Email address").fill(world.users["a.staff"].email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alder School")  # one school: straight there
    screenshot()


def test_ap_leader_of_two_schools_switches_school_and_sees_key_contacts(page: Page, world, screenshot):
    sign_in(page, world.users["ac.ap_leader"].email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Shared AP Leader")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Alder School")).to_be_visible()
    expect(main.get_by_role("link", name="Cedar Infant School")).to_be_visible()
    expect(main.get_by_role("link", name="Birch School")).to_have_count(0)

    page.get_by_role("link", name="Alder School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alder School")
    expect(page.get_by_text("Your roles here: Alternative Provision Leader.")).to_be_visible()
    navigate(page, "Key contacts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Key contacts for alternative provision")
    alder = contacts_table(page, "Alder School")
    expect(alder).to_contain_text("Shared AP Leader")
    expect(alder).to_contain_text("A Alternative Provision Leader")
    expect(alder).to_contain_text("A Designated Safeguarding Lead (DSL)")
    expect(contacts_table(page, "Local Authority (Testshire Council)")).to_contain_text("Vivian Head")

    page.get_by_role("link", name="Switch school").click()
    page.get_by_role("link", name="Cedar Infant School").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cedar Infant School")
    navigate(page, "Key contacts")
    cedar = contacts_table(page, "Cedar Infant School")
    expect(cedar).to_contain_text("Shared AP Leader")
    # Cedar has no DSL yet: the page says so rather than showing Alder's.
    expect(cedar.get_by_role("row", name=re.compile("Designated Safeguarding Lead"))).to_contain_text(
        "Not set – ask the designated trustee to add this contact")
    expect(page.get_by_role("main")).not_to_contain_text("A Designated Safeguarding Lead (DSL)")
    expect(contacts_table(page, "Test Valley Trust")).to_contain_text("Trust Safeguarding Lead")
    assert_no_serious_violations(page)
    screenshot()

    # A school they hold no role in does not exist for them.
    page.goto("/birch/key-contacts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")


def test_trust_safeguarding_lead_sees_every_school(page: Page, world, screenshot):
    sign_in(page, world.users["trust.trust_safeguarding_lead"].email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Trust Safeguarding Lead")
    expect(page.get_by_role("link", name="Trust administration")).to_have_count(0)
    page.get_by_role("link", name="Trust overview: every school").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trust dashboard")
    page.get_by_role("link", name=re.compile("Key contacts of every school")).click()  # their own page (issue 16)

    expect(page.get_by_role("heading", level=1)).to_have_text("Key contacts across the trust")
    expect(page.get_by_role("heading", level=2)).to_have_text(["Alder School", "Birch School", "Cedar Infant School"])
    birch = page.locator("section", has=page.get_by_role("heading", name="Birch School"))
    expect(birch.get_by_role("table", name="Who holds which role")).to_contain_text("B Headteacher")
    cedar = page.locator("section", has=page.get_by_role("heading", name="Cedar Infant School"))
    expect(cedar.get_by_role("table", name="Key contacts")).to_contain_text("Shared AP Leader")
    page.get_by_role("navigation", name="Schools").get_by_role("link", name="Birch School").click()
    expect(page).to_have_url(re.compile("#school-birch$"))
    assert_no_serious_violations(page)
    screenshot()


def test_staff_member_is_refused_the_admin(app, page: Page, world, screenshot):
    sign_in(page, world.users["a.staff"].email)
    expect(page.get_by_role("link", name="Trust administration")).to_have_count(0)

    response = page.goto("/admin/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("AP Hub trust administration")
    # Nor any admin page behind it, e.g. the list of people.
    with app.test_request_context():
        people_list = url_for("admin_user.index_view")
    assert page.goto(people_list).status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("main")).not_to_contain_text("@test.example.org")
    screenshot()


def test_designated_trustee_reaches_the_admin(page: Page, world, screenshot):
    sign_in(page, world.users["trust.designated_trustee"].email)
    page.get_by_role("link", name="Trust administration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("AP Hub trust administration")
    screenshot()
