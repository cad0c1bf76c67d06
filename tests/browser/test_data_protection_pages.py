"""The data protection pages in Chromium, on the demo trust (issue 19): the trustee's retention review and legal
holds, and a DSL's subject access and reads pages, have no axe violation; a hold placed with a mistake shows the
error summary linked to the field, then goes on."""
from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Pupil, School
from tenants import system_scope
from tests.browser.accessibility import axe_violations
from tests.browser.test_page_tour import DSL, SCHOOL, TRUSTEE, _sign_in, demo  # noqa: F401  (demo: a fixture)


def _no_violations(page: Page, name: str) -> list[str]:
    return [f"{name}: {v['impact']} {v['id']} ({v['help']})" for v in axe_violations(page)]


def test_the_trustee_places_a_legal_hold_and_every_page_passes_axe(app, demo, page: Page):  # noqa: F811
    with system_scope("test: a demo pupil"):
        school = db.session.scalar(select(School).where(School.slug == SCHOOL))
        pupil = db.session.scalar(select(Pupil).where(Pupil.school_id == school.id).order_by(Pupil.id))
        upn, pupil_id, school_name = pupil.upn, pupil.id, school.name
    db.session.remove()
    failures: list[str] = []
    _sign_in(page, TRUSTEE)
    page.goto("/trust/retention/")
    failures += _no_violations(page, "retention review")
    page.get_by_role("link", name="Legal holds").click()
    failures += _no_violations(page, "legal holds")

    page.get_by_label("School").select_option(label=school_name)
    page.get_by_label("Pupil's UPN").fill(upn)
    page.get_by_role("button", name="Place the hold on the pupil's records").click()  # no reason given
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why the records must be kept")
    failures += _no_violations(page, "legal holds, with an error")
    summary.get_by_role("link").click()
    expect(page.locator("#reason")).to_be_focused()
    page.locator("#reason").fill("A claim notified by the family's solicitor")
    page.get_by_role("button", name="Place the hold on the pupil's records").click()
    expect(page.get_by_text("The pupil's records are on legal hold")).to_be_visible()
    expect(page.get_by_role("button", name=f"Lift the hold on Pupil {upn}")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).click()
    _sign_in(page, DSL)
    for name, path in (("subject access", f"/{SCHOOL}/data-protection/pupils/{pupil_id}/subject-access"),
                       ("who has looked", f"/{SCHOOL}/data-protection/pupils/{pupil_id}/reads")):
        assert page.goto(path).status == 200
        failures += _no_violations(page, name)
    assert not failures, "axe violations:\n" + "\n".join(failures)
