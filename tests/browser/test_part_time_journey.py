"""Issue 15, part-time timetables in the browser: a member of staff proposes one (behaviour management is not
offered, 9.4; no end date refused), the headteacher's approval is refused naming the parent's agreement, the AP
leader records it, the headteacher approves, the AP leader records a review and then the return to full time; the
school view and the trust view show the counts. axe on every new page. Runs on the real clock: a half-term is entered around today."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term
from app.school_calendar import academic_year_of
from tenants import school_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.browser.test_review_journey import sign_out
from tests.jobs.schedule_fixtures import Ids
from tests.part_time.conftest import make_pupil


def test_proposal_approval_review_and_return(page: Page, world, screenshot):
    ids = Ids(world)
    today = clock.today()
    with school_scope(ids.a):
        db.session.add(HalfTerm(academic_year=academic_year_of(today), term=Term.AUTUMN, part=2,
                                first_day=today - timedelta(days=14), last_day=today + timedelta(days=70)))
        db.session.commit()
    make_pupil(world, first_name="Robin")

    sign_in(page, ids.emails["a.staff"])
    navigate(page, "Propose a part-time timetable")
    expect(page.get_by_role("heading", level=1)).to_have_text("Propose a part-time timetable")
    assert_no_serious_violations(page)
    page.get_by_label("Pupil", exact=True).select_option(label="Example, Robin")
    expect(page.get_by_label("Managing the pupil's behaviour")).to_have_count(0)  # 9.4: not even offered
    page.get_by_label("Reintegration after a long absence or alternative provision").check()
    page.get_by_label("Details of the reason").fill("Returning after a long absence")
    page.get_by_label("The wider support plan it is part of (9.6)").fill("Reintegration plan with a key adult")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_role("button", name="Propose the part-time timetable").click()  # no end date, nothing removed
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the end date")
    assert_no_serious_violations(page)
    page.get_by_label("End date: the planned return to full time").fill((today + timedelta(days=28)).isoformat())
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        page.get_by_label(f"Where on {day} afternoon").select_option("not_in_education")
    page.get_by_role("button", name="Propose the part-time timetable").click()
    expect(page.get_by_role("status").first).to_contain_text("not in force until")
    sign_out(page)

    sign_in(page, ids.emails["a.headteacher"])
    navigate(page, "Part-time timetables")
    expect(page.get_by_role("heading", level=1)).to_have_text("Part-time timetables")
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Robin Example").click()
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Approve the part-time timetable").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("agreement of the parent or carer")
    url = page.url.split("/approval")[0]
    sign_out(page)

    sign_in(page, ids.emails["a.ap_leader"])
    page.goto(url)
    page.get_by_label("Parent or carer the pupil normally lives with").select_option(index=1)
    page.get_by_role("button", name="Record the agreement").click()
    expect(page.locator("#agreement")).to_contain_text("Sam Example")
    sign_out(page)

    sign_in(page, ids.emails["a.headteacher"])
    page.goto(url)
    page.get_by_role("button", name="Approve the part-time timetable").click()
    expect(page.locator("#status")).to_have_text("Active")
    expect(page.locator("#hours")).to_contain_text("of 24 full-time hours")
    page.goto("/alder/")
    expect(page.locator("#part-time-counts")).to_contain_text("Active part-time timetables")
    assert_no_serious_violations(page)
    sign_out(page)

    sign_in(page, ids.emails["a.ap_leader"])
    page.goto(url)
    page.get_by_label("The pupil's views").fill("Mornings are going well")
    page.get_by_label("The parents' or carers' views").fill("Happy with the progress")
    page.get_by_label("Extend, with reasons").check()
    page.get_by_role("button", name="Record the review").click()  # an extension needs its date and reasons
    expect(page.locator(".govuk-error-summary")).to_contain_text("new end date")
    assert_no_serious_violations(page)
    page.get_by_label("Continue (with any changes)").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator("#reviews")).to_contain_text("Mornings are going well")
    page.get_by_role("button", name="Return to full time").click()
    expect(page.locator("#status")).to_have_text("Ended")
    assert_no_serious_violations(page)
    sign_out(page)

    sign_in(page, ids.emails["trust.trust_safeguarding_lead"])
    page.goto("/trust/part-time-timetables")
    expect(page.get_by_role("row", name="Alder School")).to_be_visible()
    assert_no_serious_violations(page)
    screenshot()
