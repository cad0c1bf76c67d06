"""Issue 7 items 4-5 in the browser: the AP leader sees a provider's QA visit overdue, records the visit with
everything 8.4 lists and a follow-up action for the DSL (an empty form refused naming the fields); the DSL finds the
action in their tasks and marks it done; the headteacher's school view shows the visit. Runs on the real clock."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.services.calendar import calendar_for_school
from app.services.qa import create_due_qa_visit_tasks
from tenants import school_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.forms import fill_date
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.browser.test_review_journey import sign_out
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import VISIT, qa_placement


def test_an_overdue_visit_recorded_with_a_follow_up_action_closed_by_its_owner(page: Page, world, screenshot):
    ids = Ids(world)
    dsl_name = world.users["a.dsl"].full_name
    today = clock.today()
    qa_placement(ids, first_name="Jamie", start=today - timedelta(days=60), qa_every_weeks=4)
    with school_scope(ids.a):
        create_due_qa_visit_tasks(calendar_for_school(), today)  # the daily sweep's task
        db.session.commit()

    sign_in(page, ids.emails["a.ap_leader"])
    navigate(page, "Quality assurance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality assurance")
    row = page.get_by_role("row", name=re.compile("Jamie's provider"))
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("None yet")
    assert_no_serious_violations(page)
    row.get_by_role("link", name=re.compile("Record the visit")).click()

    page.get_by_label("Findings").fill("")
    page.get_by_role("button", name="Save the record").click()  # nothing filled in: refused, naming the fields
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Say what pupil work you reviewed (8.4).")
    expect(alert).to_contain_text("Enter what the activity found")
    page.get_by_label("Provider staff spoken with").fill(VISIT["staff_spoken_with"])
    page.get_by_label("Pupil or pupils spoken with").fill(VISIT["pupils_spoken_with"])
    page.get_by_label("Parents or carers spoken with").fill(VISIT["parents_spoken_with"])
    page.get_by_label("Pupil work reviewed").fill(VISIT["work_reviewed"])
    page.get_by_label("Lessons or activities observed").fill(VISIT["lessons_observed"])
    page.get_by_label("Unstructured time observed").fill(VISIT["unstructured_time_observed"])
    page.get_by_label("Findings").fill(VISIT["findings"])
    page.get_by_label("Follow-up action 1").fill("Ask the provider for the lunch supervision rota")
    page.get_by_label("Owner of action 1").select_option(label=dsl_name)
    fill_date(page, "Action 1 due", (today + timedelta(days=7)))
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visit to the provider: Jamie's provider")
    expect(page.get_by_role("main")).to_contain_text(VISIT["findings"])
    expect(page.get_by_role("row", name=re.compile("lunch supervision rota"))).to_contain_text(dsl_name)
    page.get_by_role("link", name="Quality assurance").last.click()
    expect(page.get_by_role("row", name=re.compile("Jamie's provider"))).not_to_contain_text("Overdue")
    sign_out(page)

    sign_in(page, ids.emails["a.dsl"])
    page.goto("/alder/inbox")
    expect(page.get_by_role("main")).to_contain_text("Follow-up: Ask the provider for the lunch supervision rota")
    page.goto("/alder/follow-ups")
    page.get_by_role("link", name=re.compile("lunch supervision rota")).click()
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("What was done").fill("Rota received and checked")
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("The follow-up action is done.")
    page.goto("/alder/inbox")
    expect(page.get_by_role("main")).not_to_contain_text("lunch supervision rota")
    sign_out(page)

    sign_in(page, ids.emails["a.headteacher"])
    page.goto("/alder/")
    card = page.get_by_role("region", name="Quality assurance visits of active placements")
    expect(card).to_contain_text("No visit is overdue.")
    expect(card).to_contain_text(today.strftime("%-d %b %Y"))
    expect(card).to_contain_text("No follow-up action is overdue.")
    assert_no_serious_violations(page)
    screenshot()
