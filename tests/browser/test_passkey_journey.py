"""Issue 13 item 8 in Chromium: passkeys through a virtual authenticator (DevTools' WebAuthn domain: CTAP2,
internal transport, resident keys, user verification). A headteacher adds a passkey on their two-factor page,
signs out, and signs in with their password then the passkey; a removed passkey and a cloned one (its counter
gone back) are refused. Every new page passes axe.

WebAuthn needs a secure context and a domain as RP ID, so the journey opens the live server as
http://localhost:<port> (a potentially trustworthy origin) with PASSKEY_RP_ID=localhost."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Page, expect

from app.clock import now
from app.services import passkeys
from tests.browser.accessibility import assert_no_serious_violations
from tests.factories import PASSWORD


@pytest.fixture
def local_page(browser, live_server, app):
    origin = live_server.replace("127.0.0.1", "localhost")
    app.config.update(TWO_FACTOR_MANDATORY=True, PASSKEY_RP_ID="localhost", PASSKEY_ORIGIN=origin)
    context = browser.new_context(base_url=origin, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
    app.config.update(TWO_FACTOR_MANDATORY=False, PASSKEY_RP_ID=None, PASSKEY_ORIGIN=None)


def _virtual_authenticator(page: Page):
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    made = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return devtools, made["authenticatorId"]


def _password_step(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _enrol_app(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(now()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="I have kept them: continue").click()


def _click_when_ready(page: Page, button: str) -> None:
    """Click a passkey button once app/static/passkeys.js has taken its form over (a module loads after the
    page: under load a click could beat it, and the form would go without a passkey)."""
    page.locator("form[data-passkey-ready]").first.wait_for(state="attached")
    page.get_by_role("button", name=button).click()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to AP Hub")


def test_a_headteacher_adds_a_passkey_and_signs_in_with_it(local_page: Page, world):
    page, user = local_page, world.users["a.headteacher"]
    devtools, authenticator_id = _virtual_authenticator(page)
    _password_step(page, user.email)
    _enrol_app(page)

    page.goto("/account/two-factor")
    expect(page.get_by_role("heading", name="Passkeys")).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Add a passkey").click()  # no name yet: the page says so
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the passkey")
    page.get_by_label("Name of the passkey").fill("This laptop")
    _click_when_ready(page, "Add a passkey")
    expect(page.get_by_role("status")).to_contain_text("Passkey “This laptop” added")
    expect(page.locator("#passkeys tbody tr")).to_have_count(1)
    expect(page.locator("#passkeys tbody tr td").nth(2)).to_have_text("never")
    assert_no_serious_violations(page)
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]
    assert len(held) == 1 and held[0]["rpId"] == "localhost"
    _sign_out(page)

    _password_step(page, user.email)
    expect(page.get_by_role("button", name="Use a passkey")).to_be_visible()
    assert_no_serious_violations(page)
    _click_when_ready(page, "Use a passkey")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.goto("/account/two-factor")
    expect(page.locator("#passkeys tbody tr td").nth(2)).not_to_have_text("never")


def test_a_removed_passkey_and_a_cloned_one_are_refused(local_page: Page, world, app):
    page, user = local_page, world.users["a.headteacher"]
    devtools, authenticator_id = _virtual_authenticator(page)
    _password_step(page, user.email)
    _enrol_app(page)
    page.goto("/account/two-factor")
    page.get_by_label("Name of the passkey").fill("This laptop")
    _click_when_ready(page, "Add a passkey")
    expect(page.locator("#passkeys tbody tr")).to_have_count(1)
    _sign_out(page)

    # A cloned authenticator: the same key with its counter wound back after the real one was used.
    _password_step(page, user.email)
    _click_when_ready(page, "Use a passkey")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    _sign_out(page)
    credential = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"][0]
    assert credential["signCount"] >= 1
    devtools.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    devtools.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id,
                                             "credential": {**credential, "signCount": 0}})
    _password_step(page, user.email)
    _click_when_ready(page, "Use a passkey")
    expect(page.get_by_role("alert").first).to_contain_text("That passkey was not accepted")
    assert_no_serious_violations(page)

    # Removed while the sign-in was under way: the browser still offers it, the server refuses it.
    def remove_once_asked(route):
        answer = route.fetch()
        with app.app_context():  # Playwright runs the handler in a greenlet of its own
            for key in passkeys.for_user(user):
                passkeys.remove(user, key.id)
        route.fulfill(response=answer)

    devtools.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})
    devtools.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id,
                                             "credential": {**credential, "signCount": 100}})
    page.route("**/sign-in/two-factor/passkey-options", remove_once_asked)
    _click_when_ready(page, "Use a passkey")
    expect(page.get_by_role("alert").first).to_contain_text("That passkey was not accepted")
    expect(page.get_by_role("button", name="Use a passkey")).to_have_count(0)  # none left to offer
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def test_a_dsl_sets_up_a_passkey_instead_of_an_app_at_first_sign_in(local_page: Page, world):
    page, user = local_page, world.users["a.dsl"]
    _virtual_authenticator(page)
    _password_step(page, user.email)
    expect(page.get_by_role("heading", name="Or use a passkey instead")).to_be_visible()
    assert_no_serious_violations(page)
    page.get_by_label("Name of the passkey").fill("Office PC")
    _click_when_ready(page, "Set up a passkey")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    _sign_out(page)
    _password_step(page, user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    _click_when_ready(page, "Use a passkey")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
