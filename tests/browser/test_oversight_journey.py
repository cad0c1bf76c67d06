"""Issue 16's journeys in the browser, with axe on every page: the trust safeguarding lead goes from the trust
dashboard to a pupil not located and reads the case; the headteacher produces a report and records it presented to
governors; the designated governor reads it and records the governors' questions. Runs on the real clock: the
schools' calendars cover today."""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import Pupil
from app.models.attendance import WelfareCheck, WelfareCheckMethod, WelfareCheckOutcome
from app.school_calendar import academic_year_of
from tenants import school_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.forms import fill_date
from tests.browser.test_journeys import sign_in
from tests.browser.test_review_journey import sign_out
from tests.jobs.schedule_fixtures import Ids
from tests.oversight.history import enter_years


def test_trust_lead_from_the_dashboard_to_a_pupil_not_located(page: Page, world, screenshot):
    ids = Ids(world)
    now = clock.now()
    with school_scope(ids.a):
        pupil = Pupil(upn="B000000000101", first_name="Morgan", last_name="Testcase",
                      date_of_birth=dt.date(2012, 2, 2), year_group=9)
        db.session.add(pupil)
        db.session.flush()
        db.session.add(WelfareCheck(pupil_id=pupil.id, raised_at=now - dt.timedelta(hours=2),
                                    method=WelfareCheckMethod.HOME_VISIT, outcome=WelfareCheckOutcome.NOT_LOCATED,
                                    checked_at=now - dt.timedelta(hours=1), recorded_at=now - dt.timedelta(hours=1),
                                    notes="No answer at home; the provider has not seen them",
                                    missing_procedure_started_at=now - dt.timedelta(hours=1),
                                    trust_told_at=now - dt.timedelta(hours=1)))
        db.session.commit()

    sign_in(page, ids.emails["trust.trust_safeguarding_lead"])
    page.goto("/trust/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trust dashboard")
    assert_no_serious_violations(page)
    page.get_by_role("link", name=re.compile("Safeguarding across the trust")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguarding across the trust")
    expect(page.get_by_role("main")).to_contain_text("Still not located")
    assert_no_serious_violations(page)
    page.get_by_role("link", name=re.compile("Morgan Testcase, Alder School")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welfare check: Morgan Testcase")
    main = page.get_by_role("main")
    expect(main).to_contain_text("read-only, as the trust sees it")
    expect(main).to_contain_text("No answer at home")
    expect(main).to_contain_text("call the police on 999")
    assert_no_serious_violations(page)
    screenshot()


def test_headteacher_produces_and_presents_a_report_and_the_governor_reads_it(page: Page, world, screenshot):
    ids = Ids(world)
    year = academic_year_of(clock.today())
    enter_years(ids.a, years=(year - 1, year))
    last_month = clock.today() - dt.timedelta(days=30)

    sign_in(page, ids.emails["a.headteacher"])
    page.goto("/alder/")
    expect(page.get_by_role("heading", name="Approvals waiting")).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Reports on the use of AP").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports on the use of alternative provision")
    assert_no_serious_violations(page)
    page.get_by_label("Or name a date range (optional)").fill("The last month")
    fill_date(page, "First day", last_month)
    fill_date(page, "Last day", clock.today())
    page.get_by_role("button", name="Produce the report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The last month: the use of alternative provision")
    expect(page.get_by_role("heading", name=re.compile("Cost and value for money"))).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Record it presented").click()  # empty: refused, naming the fields
    expect(page.get_by_role("alert").first).to_contain_text("Enter the meeting")
    fill_date(page, "Date of the governors' meeting", clock.today())
    page.get_by_label("Meeting, for example 'Full governing body'").fill("Full governing body")
    page.get_by_role("button", name="Record it presented").click()
    expect(page.get_by_role("main")).to_contain_text("Full governing body")
    page.get_by_role("button", name="Send it to the trust").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent to the trust")
    assert_no_serious_violations(page)
    sign_out(page)

    sign_in(page, ids.emails["a.designated_governor"])
    page.goto("/alder/governors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governors: monitoring the use of alternative provision")
    assert_no_serious_violations(page)
    page.get_by_role("link", name="The last month").click()
    page.get_by_label("Questions governors asked").fill("How does attendance compare with last term?")
    page.get_by_role("button", name="Record the governors' note").click()
    expect(page.get_by_role("main")).to_contain_text("How does attendance compare with last term?")
    assert_no_serious_violations(page)
    screenshot()
