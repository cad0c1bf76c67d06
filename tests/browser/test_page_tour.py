"""Every main page of the demo trust, as its people see it: axe finds no violation at all (not only no serious
one), and each page is photographed when APHUB_SCREENSHOT_DIR names a folder (docs/screenshots/ holds the ones
taken before and after GOV.UK Frontend was adopted).

The demo (`flask demo seed`) is the world here because it is the richest one: providers with checks, pupils with
placements, the day's attendance and welfare checks.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import url_for
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import (
    BackgroundJob,
    Carer,
    JobState,
    Placement,
    PlacementReview,
    Provider,
    ProviderCheck,
    Pupil,
    QAActivity,
    School,
    User,
    WelfareCheck,
)
from tenants import school_scope, system_scope
from tests.browser.accessibility import axe_violations

SCHOOL = "millbrook"
AP_LEADER = "ap.leader@millbrook.example.org"
DSL = "dsl@millbrook.example.org"
TRUSTEE = "trustee@trust.example.org"


def _first_id(model, school_id):
    with system_scope("the page tour picks a demo record to show"):
        query = select(model.id).order_by(model.id).limit(1)
        if hasattr(model, "school_id"):  # providers and their checks belong to the trust
            query = query.where(model.school_id == school_id)
        return db.session.scalar(query)


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with system_scope("the page tour finds the demo school"):
        school_id = db.session.scalar(select(School.id).where(School.slug == SCHOOL))
    ids = {model.__name__: _first_id(model, school_id) for model in
           (Carer, Placement, PlacementReview, Provider, ProviderCheck, Pupil, QAActivity, WelfareCheck)}
    ids["jobs"] = _import_jobs(school_id)
    db.session.remove()
    return ids


def _import_jobs(school_id: int) -> tuple[int, int]:
    """A long pupil import under way and one finished with refused rows (issue 14 item 7)."""
    with system_scope("the page tour finds the AP leader"):
        leader = db.session.scalar(select(User.id).where(User.email == AP_LEADER))
    with school_scope(school_id):
        running = BackgroundJob(kind="pupil_import", state=JobState.RUNNING, total=500, done=200, summary={},
                                errors=[], started_by_id=leader)
        done = BackgroundJob(kind="pupil_import", state=JobState.DONE, total=500, done=500,
                             summary={"added": 498, "updated": 0, "refused": 2, "chunks": 5}, started_by_id=leader,
                             errors=[{"row": 7, "column": "Legal Forename", "message": "Enter the pupil's first name."},
                                     {"row": 120, "column": "DOB", "message": "Not a date."}])
        db.session.add_all([running, done])
        db.session.commit()
        return running.id, done.id


def _pages(app, ids) -> list[tuple[str, str]]:
    s = {"school_slug": SCHOOL}
    wanted = [
        ("dashboard", "school.dashboard", s),
        ("attendance-today", "attendance.index", s),
        ("providers", "providers.index", s),
        ("provider", "providers.show", {**s, "provider_id": ids["Provider"]}),
        ("provider-checks", "provider_checks.checklist", {**s, "check_id": ids["ProviderCheck"]}),
        ("new-provider", "providers.new", s),
        ("placements", "placements.index", s),
        ("placement", "placements.show", {**s, "placement_id": ids["Placement"]}),
        ("new-placement", "placements.new", s),
        ("pupils", "pupils.index", s),
        ("pupil", "pupils.show", {**s, "pupil_id": ids["Pupil"]}),
        ("new-pupil", "pupils.new", s),
        ("welfare-checks", "welfare_checks.index", s),
        ("welfare-check", "welfare_checks.show", {**s, "welfare_check_id": ids["WelfareCheck"]}),
        ("reviews", "reviews.index", s),
        ("review", "reviews.show", {**s, "review_id": ids["PlacementReview"]}),
        ("qa", "qa.index", s),
        ("qa-activity", "qa.show_activity", {**s, "qa_activity_id": ids["QAActivity"]}),
        ("provider-links", "provider_links.index", s),
        ("inbox", "inbox.index", s),
        ("key-contacts", "school.key_contacts", s),
        ("calendar", "calendar.overview", s),
        ("notices", "notices.index", s),
        ("census", "census.index", s),
        ("census-reason", "census.placement_reason", {**s, "placement_id": ids["Placement"]}),
        ("account", "account.settings", {}),
        ("correct-carer", "corrections.correct_carers", {**s, "carer_id": ids["Carer"]}),
        ("archive-review", "corrections.archive_reviews", {**s, "review_id": ids["PlacementReview"]}),
        ("qa-history", "corrections.history_qa", {**s, "qa_activity_id": ids["QAActivity"]}),
        ("import-progress", "pupils.import_job", {**s, "job_id": ids["jobs"][0]}),
        ("import-result", "pupils.import_job", {**s, "job_id": ids["jobs"][1]}),
    ]
    with app.test_request_context():
        return [(name, url_for(endpoint, **kwargs)) for name, endpoint, kwargs in wanted
                if all(v is not None for v in kwargs.values())]


def _sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def _visit(page: Page, name: str, url: str, failures: list[str]) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{name} ({url}) answered {response.status}"
    violations = axe_violations(page)
    for v in violations:
        where = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        failures.append(f"{name} ({url}): {v['impact']} {v['id']} ({v['help']}) at {where}")
    folder = os.environ.get("APHUB_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_every_main_page_of_a_school_has_no_accessibility_violation(app, demo, page: Page):
    failures: list[str] = []
    page.goto("/sign-in")
    _visit(page, "sign-in", "/sign-in", failures)
    _sign_in(page, AP_LEADER)
    pages = _pages(app, demo)
    assert len(pages) == 31, "a demo record the tour needs is missing"
    for name, url in pages:
        _visit(page, name, url, failures)
    # What only a DSL (or the headteacher) may open.
    page.get_by_role("button", name="Sign out", exact=True).click()
    _sign_in(page, DSL)
    with app.test_request_context():
        _visit(page, "new-welfare-check", url_for("welfare_checks.new", school_slug=SCHOOL), failures)
    assert not failures, "axe violations:\n" + "\n".join(failures)


def test_the_admin_pages_have_no_accessibility_violation(app, demo, page: Page):
    """Flask-Admin's pages too, with AP Hub's header and local times."""
    failures: list[str] = []
    _sign_in(page, TRUSTEE)
    with app.test_request_context():
        pages = [("admin", url_for("admin.index"))] + [
            (f"admin-{name}", url_for(f"admin_{name}.index_view"))
            for name in ("user", "school", "school_role", "trust_role", "la", "la_contact", "trust", "audit",
                         "notification")
        ] + [("admin-queue-health", url_for("admin_queue_health.index")),
             ("admin-edit-school", url_for("admin_school.edit_view", id=1))]
    for name, url in pages:
        _visit(page, name, url, failures)
    assert not failures, "axe violations:\n" + "\n".join(failures)
