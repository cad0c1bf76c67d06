"""Item 6 of issue 13: throttles that protect rather than lock out. Wrong passwords from a stranger never stop
the person themself signing in; each address waits longer after each failure; one address cannot spray many
accounts; provider links, the calendar feed and API tokens are limited too (Flask-Limiter, the same Redis)."""
from __future__ import annotations

import re
from datetime import timedelta

from app import throttles
from app.services import api_tokens
from app.services.sign_in import REFUSED
from tests.factories import PASSWORD
from tests.helpers import csrf_token, fresh_client, post_form, school_time, sign_in

STRANGER, SCHOOL = "203.0.113.9", "198.51.100.20"


def _client(app, address: str):
    client = fresh_client(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _attempt(client, email: str, password: str):
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def _summary(response) -> str:
    # The GOV.UK error summary's first item (app/templates/_form_errors.html).
    match = re.search(r'govuk-error-summary__list">\s*<li>\s*(.*?)\s*</li>', response.get_data(as_text=True), re.S)
    return match.group(1) if match else ""


def test_a_strangers_wrong_passwords_do_not_lock_the_person_out(app, world):
    stranger = _client(app, STRANGER)
    dsl = world.users["a.dsl"]
    with school_time("2026-03-02 09:00"):
        for _ in range(12):
            _attempt(stranger, dsl.email, "a wrong guess")
        assert sign_in(_client(app, SCHOOL), dsl).status_code == 302


def test_each_further_failure_from_an_address_waits_longer(app, world):
    client = _client(app, STRANGER)
    email = world.users["a.dsl"].email
    free = throttles.SIGN_IN_FREE_FAILURES
    with school_time("2026-03-02 09:00") as clock:
        for _ in range(free):
            assert _summary(_attempt(client, email, "guess")) == REFUSED
        waits = []
        for _ in range(4):
            refused = _attempt(client, email, PASSWORD)  # even the right password waits its turn
            assert refused.status_code == 429
            waits.append(int(re.search(r"Wait (\d+) seconds", _summary(refused)).group(1)))
            clock.tick(timedelta(seconds=waits[-1] - 1))
            assert _attempt(client, email, PASSWORD).status_code == 429  # not a second early
            clock.tick(timedelta(seconds=1))
            assert _summary(_attempt(client, email, "guess again")) == REFUSED  # checked: and wrong
        assert waits == [15, 30, 60, 120]
        clock.tick(timedelta(seconds=240))
        assert _attempt(client, email, PASSWORD).status_code == 302


def test_the_wait_never_grows_past_the_cap(app, world):
    assert throttles.sign_in_wait(failures_here=40, failures_everywhere=40) == timedelta(minutes=15)
    assert throttles.sign_in_wait(failures_here=4, failures_everywhere=4) == timedelta(0)
    # Failures from many addresses slow the account down a little for everyone, never for long.
    assert throttles.sign_in_wait(failures_here=1, failures_everywhere=500) == timedelta(seconds=30)


def test_the_wait_reads_the_same_for_a_known_and_an_unknown_address(app, world):
    pages = []
    with school_time("2026-03-02 09:00"):
        for email in ("a.dsl@test.example.org", "nobody.here@test.example.org"):
            client = _client(app, STRANGER)
            for _ in range(throttles.SIGN_IN_FREE_FAILURES):
                _attempt(client, email, "guess")
            pages.append(_attempt(client, email, "guess"))
    assert pages[0].status_code == pages[1].status_code == 429
    assert _summary(pages[0]) == _summary(pages[1]) != ""


def test_one_address_cannot_spray_many_accounts(app, world):
    client = _client(app, STRANGER)
    per_minute = throttles.SIGN_IN_PER_ADDRESS_PER_MINUTE
    statuses = [_attempt(client, f"person{n}@test.example.org", "Summer2026!").status_code
                for n in range(per_minute + 1)]
    assert statuses[:per_minute] == [401] * per_minute and statuses[-1] == 429
    # Another address (the school's) still signs in.
    assert sign_in(_client(app, SCHOOL), world.users["a.dsl"]).status_code == 302


def test_the_calendar_feed_is_limited_per_feed(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["a.ap_leader"])
    page = post_form(client, "/account/calendar-feed/", {}, form_url="/account/").get_data(as_text=True)
    url = re.search(r'<code id="feed-url">(.*?)</code>', page).group(1).replace("http://localhost", "")
    limit = throttles.CALENDAR_FEED_PER_FEED_PER_HOUR
    # From a different address each time: the feed's own limit, not an address's.
    statuses = [_client(app, f"192.0.2.{n + 1}").get(url).status_code for n in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429


def test_unknown_calendar_feeds_are_limited_per_address(app, world):
    prober = _client(app, STRANGER)
    limit = throttles.CALENDAR_FEED_PER_ADDRESS_PER_MINUTE
    statuses = [prober.get(f"/calendar-feeds/guess{n}.ics").status_code for n in range(limit + 1)]
    assert statuses[:limit] == [404] * limit and statuses[-1] == 429


def test_bad_api_tokens_are_limited_per_address(app, world):
    prober = _client(app, STRANGER)
    limit = throttles.API_BAD_TOKENS_PER_ADDRESS_PER_MINUTE
    statuses = [prober.get("/api/v1/me", headers={"Authorization": f"Bearer aphub_guess{n}"}).status_code
                for n in range(limit + 1)]
    assert statuses[:limit] == [401] * limit and statuses[-1] == 429
    # A good token from the same address is not held back by the guesses.
    token = api_tokens.issue(world.users["a.ap_leader"], "throttle")
    assert prober.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_one_api_token_is_limited(app, world):
    token = api_tokens.issue(world.users["a.ap_leader"], "throttle")
    client = _client(app, SCHOOL)
    limit = throttles.API_PER_TOKEN_PER_MINUTE
    # At one frozen instant: 300 requests can take longer than the minute on a loaded machine, and the moving
    # window would then let the 301st through.
    with school_time("2026-03-02 09:00"):
        statuses = [client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
                    for _ in range(limit + 1)]
        assert statuses[:limit] == [200] * limit and statuses[-1] == 429
        other = api_tokens.issue(world.users["a.dsl"], "throttle")
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_password_reset_requests_are_limited_per_address(app, world):
    client = _client(app, STRANGER)
    limit = throttles.PASSWORD_RESET_PER_ADDRESS_PER_HOUR
    token = csrf_token(client, "/forgot-password")
    statuses = [client.post("/forgot-password", data={"email": f"person{n}@test.example.org",
                                                      "csrf_token": token}).status_code for n in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    assert _client(app, SCHOOL).post("/forgot-password", data={
        "email": world.users["a.staff"].email, "csrf_token": csrf_token(_client(app, SCHOOL), "/forgot-password"),
    }).status_code != 429


def test_guessing_invitation_and_reset_links_is_limited_per_address(app, world):
    prober = _client(app, STRANGER)
    limit = throttles.ACCOUNT_LINK_PER_ADDRESS_PER_MINUTE
    statuses = [prober.get(f"/{'invitation' if n % 2 else 'reset-password'}/guess{n}").status_code
                for n in range(limit + 1)]
    assert statuses[:limit] == [404] * limit and statuses[-1] == 429


def test_two_factor_codes_and_passkey_answers_are_limited_per_address(app, world):
    for url, limit in (("/sign-in/two-factor", throttles.TWO_FACTOR_PER_ADDRESS_PER_MINUTE),
                       ("/sign-in/two-factor/passkey", throttles.PASSKEY_PER_ADDRESS_PER_MINUTE),
                       ("/sign-in/two-factor/passkey-options", throttles.PASSKEY_PER_ADDRESS_PER_MINUTE)):
        client = _client(app, STRANGER)
        token = csrf_token(client)
        # With no password step behind them these are turned away; each still counts against the address.
        statuses = [client.post(url, data={"code": "123456", "passkey-credential": "{}", "csrf_token": token},
                                headers={"X-CSRFToken": token}).status_code for _ in range(limit + 1)]
        assert 429 not in statuses[:limit] and statuses[-1] == 429, url
    assert _client(app, SCHOOL).post("/sign-in/two-factor/passkey").status_code != 429
