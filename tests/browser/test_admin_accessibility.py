"""Issue 13 item 4: the trust admin's pages pass axe like the rest of AP Hub (contrast, the page's language)."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_no_serious_violations
from tests.factories import PASSWORD
from tests.views.test_permissions import admin_urls


def test_the_admin_pages_pass_axe(page: Page, app, world):
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(world.users["trust.designated_trustee"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    urls = admin_urls(app, world)
    assert len(urls) > 10
    failures = []
    for url in urls:
        page.goto(url)
        try:
            assert_no_serious_violations(page)
        except AssertionError as problem:
            failures.append(str(problem))
    assert failures == []
