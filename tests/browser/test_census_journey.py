"""Issue 16 item 7 in the browser, with axe on every page: the AP leader opens the school census's AP placements,
sees what is missing, follows each link to fix it (the provider's census identifier, the placement's primary
reason) and downloads the CSV once nothing is missing. Runs on the real clock: the school's calendar covers today."""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from app import clock
from app.models.providers import RegistrationStatus
from app.school_calendar import academic_year_of
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.jobs.schedule_fixtures import Ids
from tests.oversight.history import enter_years
from tests.oversight.test_census import placement
from tests.placements.conftest import vetted_provider


def test_ap_leader_fixes_the_missing_items_and_downloads_the_census_csv(page: Page, world, screenshot):
    ids = Ids(world)
    year = academic_year_of(clock.today())
    enter_years(ids.a, years=(year - 1, year))
    provider = vetted_provider(world, name="Heron Vocational Skills", registration=RegistrationStatus.UNREGISTERED)
    placement(world, provider, "Robin", clock.today() - dt.timedelta(days=3), reasons=("supplement_curriculum",))

    sign_in(page, ids.emails["a.ap_leader"])
    page.goto("/alder/")
    navigate(page, "School census")
    expect(page.get_by_role("heading", level=1)).to_have_text("School census: alternative provision placements")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Robin Census")
    expect(main).to_contain_text("2 missing items below are fixed")
    expect(page.get_by_role("link", name="Download the CSV")).to_have_count(0)
    assert_no_serious_violations(page)

    page.get_by_role("link", name=re.compile(r"Fix this\s*: The provider has no URN")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Census identifiers of Heron Vocational Skills")
    assert_no_serious_violations(page)
    page.get_by_label("AP setting type, if it has neither").select_option("WBP")
    page.get_by_role("button", name="Save the identifiers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School census: alternative provision placements")
    expect(page.get_by_role("status").first).to_contain_text("census identifiers are saved")

    page.get_by_role("link", name=re.compile(r"Fix this\s*: Choose the primary reason")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Primary reason for the placement")
    assert_no_serious_violations(page)
    page.get_by_label("Primary reason for the placement").select_option("OTH")
    page.get_by_role("button", name="Save the reason").click()
    expect(page.get_by_role("main")).to_contain_text("Work based placement (WBP)")
    assert_no_serious_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV").click()
    csv_text = open(download.value.path(), encoding="utf-8").read()
    assert "Robin" in csv_text and ",WBP," in csv_text and ",OTH," in csv_text
    screenshot()
