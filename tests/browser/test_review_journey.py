"""Issue 7, done when: in the browser an AP leader sees the reviews due this half-term and records one with the
pupil's and parents' views; the headteacher sees that nothing is overdue; the trust view shows each school's
overdue reviews. Runs on the real clock: each school's half-term is entered around today."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.models import HalfTerm, Term
from app.school_calendar import academic_year_of
from app.services.calendar import calendar_for_school
from app.services.reviews import create_due_review_tasks
from tenants import school_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.browser.navigation import navigate
from tests.browser.test_journeys import sign_in
from tests.jobs.schedule_fixtures import Ids
from tests.reviews.conftest import active_placement


def half_term_around_today(school_id: int, before: int, after: int) -> None:
    """A half-term from `before` days ago to `after` days ahead, and the review tasks the sweep makes today."""
    today = clock.today()
    with school_scope(school_id):
        db.session.add(HalfTerm(academic_year=academic_year_of(today), term=Term.AUTUMN, part=2,
                                first_day=today - timedelta(days=before), last_day=today + timedelta(days=after)))
        db.session.commit()
        create_due_review_tasks(calendar_for_school(), today)
        db.session.commit()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()


def test_reviews_due_recorded_nothing_overdue_and_the_trust_view(page: Page, world, screenshot):
    ids = Ids(world)
    start = clock.today() - timedelta(days=120)
    active_placement(ids, "a", first_name="Jamie", start=start)
    active_placement(ids, "b", first_name="Riley", start=start)
    half_term_around_today(ids.a, before=14, after=35)  # Alder: the review is due in a few weeks
    half_term_around_today(ids.b, before=40, after=1)  # Birch: its due date has passed: overdue

    sign_in(page, ids.emails["a.ap_leader"])
    navigate(page, "Reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews due this half-term")
    row = page.get_by_role("row", name=re.compile("Jamie Testcase"))
    expect(row).to_contain_text("Due")
    assert_no_serious_violations(page)
    row.get_by_role("link", name=re.compile("Record the review")).click()

    page.get_by_role("button", name="Save the review").click()  # empty: refused, naming the fields
    expect(page.get_by_role("alert").first).to_contain_text("The pupil's views")
    page.get_by_label("The pupil", exact=True).check()
    page.get_by_label("Parents or carers", exact=True).check()
    page.get_by_label("Progress against the placement's aims").fill("Maths up a grade; settles quickly")
    page.get_by_label("The pupil's views").fill("I like the workshop and want more maths")
    page.get_by_label("The parents' or carers' views").fill("Pleased; would like a weekly phone call")
    page.get_by_label("Steps towards reintegration").fill("One morning a week back at school")
    page.get_by_label("The pupil's risk assessment was reviewed").check()
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review: Jamie Testcase at Jamie's provider")
    expect(page.get_by_role("main")).to_contain_text("I like the workshop and want more maths")
    expect(page.get_by_role("main")).to_contain_text("Pleased; would like a weekly phone call")
    page.get_by_role("link", name="Reviews due this half-term").click()
    expect(page.get_by_role("main")).to_contain_text("Nothing is overdue.")
    sign_out(page)

    sign_in(page, ids.emails["a.headteacher"])
    page.goto("/alder/")
    card = page.get_by_role("region", name="Reviews of active placements")
    expect(card).to_contain_text("Nothing is overdue.")
    expect(card).to_contain_text("Jamie Testcase")
    assert_no_serious_violations(page)
    sign_out(page)

    sign_in(page, ids.emails["trust.trust_safeguarding_lead"])
    page.goto("/trust/")
    page.get_by_role("link", name="Overdue reviews in each school (8.3)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring across the trust")
    expect(page.get_by_role("row", name=re.compile("Alder School"))).to_contain_text("0")
    expect(page.get_by_role("row", name=re.compile("Birch School"))).to_contain_text("1")
    assert_no_serious_violations(page)
    screenshot()
