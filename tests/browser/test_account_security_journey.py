"""Issue 13 in Chromium: a DSL's first sign-in enrols an authenticator app (TOTP codes from pyotp), the next one
asks for a code; a forgotten password is reset through the emailed link. Every page passes axe."""
from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.clock import now
from app.extensions import db
from app.models import Notification
from tenants import system_scope
from tests.browser.accessibility import assert_no_serious_violations
from tests.factories import PASSWORD


@pytest.fixture
def mandatory(app):
    app.config["TWO_FACTOR_MANDATORY"] = True
    yield
    app.config["TWO_FACTOR_MANDATORY"] = False


def _password_step(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_dsl_enrols_an_authenticator_app_then_signs_in_with_a_code(page: Page, world, mandatory, screenshot):
    email = world.users["a.dsl"].email
    _password_step(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code to add AP Hub to your authenticator app")).to_be_visible()
    assert_no_serious_violations(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(now()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_no_serious_violations(page)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()

    _password_step(page, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter the code from your authenticator app")
    assert_no_serious_violations(page)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Code: That code is not right")
    step = int(now().timestamp()) // 30 + 1  # the next code: the last one is spent
    page.get_by_label("Code").fill(pyotp.TOTP(secret).generate_otp(step))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    screenshot()


def test_a_forgotten_password_is_reset_by_the_emailed_link(page: Page, world, screenshot):
    user = world.users["a.staff"]
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_no_serious_violations(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If {user.email} has an AP Hub account")
    with system_scope("test: the outbox"):
        body = db.session.scalar(select(Notification.body_text).where(Notification.recipient_email == user.email))
    path = re.search(r"https?://[^/\s]+(/reset-password/[\w-]+)", body).group(1)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_no_serious_violations(page)
    page.get_by_label("New password", exact=True).fill("password")
    page.get_by_label("New password again").fill("password")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("alert")).to_contain_text("Use at least 12 characters")
    page.get_by_label("New password", exact=True).fill("heron pebble violet orchard")
    page.get_by_label("New password again").fill("heron pebble violet orchard")
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to AP Hub")
    _password_step(page, user.email, "heron pebble violet orchard")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    screenshot()
