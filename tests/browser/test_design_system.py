"""GOV.UK Frontend as people meet it (issue 14 item 1): radios and checkboxes sit to the left of their labels,
dates are day, month and year boxes, and the navigation says which school you are in and where."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in


def _assert_controls_left_of_labels(page: Page, item_selector: str, minimum: int) -> None:
    items = page.locator(item_selector)
    assert items.count() >= minimum, f"expected at least {minimum} {item_selector} on {page.url}"
    for i in range(items.count()):
        item = items.nth(i)
        control = item.locator("input").bounding_box()
        label = item.locator("label").bounding_box()
        text = item.locator("label").inner_text()
        assert control and label, text
        # The control ends where its label starts (GOV.UK draws the visible box over the input), ...
        assert control["x"] + control["width"] <= label["x"] + 1, (text, control, label)
        assert label["x"] - (control["x"] + control["width"]) < 20, (text, control, label)
        # ... on the same line: their vertical middles within half the label's height of each other.
        middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
        assert abs(middle(control) - middle(label)) <= label["height"] / 2, (text, control, label)


def test_radios_and_checkboxes_sit_left_of_their_labels(page: Page, world):
    sign_in(page, world.users["a.ap_leader"].email)
    page.goto("/account/")
    _assert_controls_left_of_labels(page, ".govuk-radios__item", 2)
    page.goto("/alder/placements/new")
    _assert_controls_left_of_labels(page, ".govuk-checkboxes__item", 1)
    # A phone-sized screen too: the control stays on the left of its label.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/account/")
    _assert_controls_left_of_labels(page, ".govuk-radios__item", 2)


def test_a_date_is_three_boxes_not_the_browsers_picker(page: Page, world):
    sign_in(page, world.users["a.ap_leader"].email)
    page.goto("/alder/placements/new")
    start = page.get_by_role("group", name="Start date")
    for part in ("Day", "Month", "Year"):
        expect(start.get_by_label(part)).to_have_attribute("type", "text")
    expect(page.locator('input[type="date"]')).to_have_count(0)
    page.get_by_role("button", name="Plan the placement").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    # The error summary's link takes you to the day box of the date.
    summary.get_by_role("link", name="Start date: Enter the start date.").click()
    expect(start.get_by_label("Day")).to_be_focused()


def test_the_navigation_names_the_school_and_shows_where_you_are(page: Page, world):
    sign_in(page, world.users["a.ap_leader"].email)
    service = page.get_by_role("region", name="Your school")
    expect(service.get_by_role("link", name="Alder School")).to_be_visible()
    assert navigate(page, "Reviews") == 2
    main = page.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Pupils and placements")).to_have_attribute("aria-current", "true")
    here = page.get_by_role("navigation", name="Pupils and placements")
    expect(here.get_by_role("link", name="Reviews")).to_have_attribute("aria-current", "page")
    expect(here.get_by_role("link", name="Pupils")).not_to_have_attribute("aria-current", "page")
    # No crown and no GOV.UK branding: the header is AP Hub's.
    expect(page.locator(".govuk-header__logotype, .govuk-logo")).to_have_count(0)
    expect(page.get_by_role("banner")).to_contain_text("AP Hub")
