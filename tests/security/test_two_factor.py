"""Item 8 of issue 13: two-factor sign-in. A code from an authenticator app (TOTP) after the password, mandatory
for the roles that see safeguarding detail, optional for others; one-time recovery codes; no replayed code."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from app.clock import now
from tests.helpers import csrf_token, fresh_client, post_form, school_time, sign_in

CHALLENGE = "/sign-in/two-factor"


@pytest.fixture
def mandatory(app):
    app.config["TWO_FACTOR_MANDATORY"] = True
    yield
    app.config["TWO_FACTOR_MANDATORY"] = False


def _code(secret: str) -> str:
    # At the app's clock, timezone-aware: pyotp's now() reads a naive local time, which freezegun and a non-UTC
    # TZ disagree about.
    return pyotp.TOTP(secret).at(now())


def _secret(page: str) -> str:
    return re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)


def _enrol_at_sign_in(app, user):
    client = fresh_client(app)
    response = sign_in(client, user)
    assert response.status_code == 302 and response.headers["Location"] == CHALLENGE
    page = client.get(CHALLENGE).get_data(as_text=True)
    secret = _secret(page)
    done = post_form(client, CHALLENGE, {"code": _code(secret)})
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    return client, secret, codes


@pytest.mark.parametrize("who", ["a.dsl", "a.headteacher", "a.ap_leader", "trust.trust_safeguarding_lead",
                                 "trust.designated_trustee", "trust.trust_send_lead"])
def test_a_password_alone_does_not_sign_in_a_role_that_sees_safeguarding_detail(app, world, mandatory, who):
    client = fresh_client(app)
    response = sign_in(client, world.users[who])
    assert response.status_code == 302 and response.headers["Location"] == CHALLENGE
    assert client.get("/account/").status_code == 302  # not signed in yet
    page = client.get(CHALLENGE).get_data(as_text=True)
    assert "Set up two-factor sign-in" in page and 'src="data:image/svg+xml' in page


@pytest.mark.parametrize("who", ["a.staff", "a.attendance_officer", "a.designated_governor"])
def test_others_sign_in_with_a_password_until_they_choose_two_factor(app, world, mandatory, who):
    user = world.users[who]
    client = fresh_client(app)
    assert sign_in(client, user).headers["Location"] == "/"
    secret = _secret(client.get("/account/two-factor").get_data(as_text=True))
    done = post_form(client, "/account/two-factor", {"code": _code(secret)})
    assert "Your recovery codes" in done.get_data(as_text=True)
    assert sign_in(fresh_client(app), user).headers["Location"] == CHALLENGE  # from now on, a code too


def test_enrolling_at_first_sign_in_then_signing_in_with_a_code(app, world, mandatory):
    user = world.users["a.dsl"]
    with school_time("2026-03-02 09:00") as clock:
        client, secret, codes = _enrol_at_sign_in(app, user)
        assert len(codes) == 10 and client.get("/account/").status_code == 200
        clock.tick(timedelta(seconds=60))
        later = fresh_client(app)
        sign_in(later, user)
        page = later.get(CHALLENGE).get_data(as_text=True)
        assert "Enter the code from your authenticator app" in page and "totp-secret" not in page
        wrong = post_form(later, CHALLENGE, {"code": "000000"})
        assert "Code: That code is not right" in wrong.get_data(as_text=True)
        code = _code(secret)
        assert post_form(later, CHALLENGE, {"code": code}).headers["Location"] == "/"
        assert later.get("/account/").status_code == 200
        # The same code again, from another browser, is refused: a code seen over a shoulder is spent.
        replay = fresh_client(app)
        sign_in(replay, user)
        assert post_form(replay, CHALLENGE, {"code": code}).status_code == 200
        assert replay.get("/account/").status_code == 302


def test_a_recovery_code_signs_in_once(app, world, mandatory):
    user = world.users["a.headteacher"]
    _, _, codes = _enrol_at_sign_in(app, user)
    first = fresh_client(app)
    sign_in(first, user)
    assert post_form(first, CHALLENGE, {"code": codes[0].upper()}).headers["Location"] == "/"
    again = fresh_client(app)
    sign_in(again, user)
    assert post_form(again, CHALLENGE, {"code": codes[0]}).status_code == 200
    assert again.get("/account/").status_code == 302


def test_five_wrong_codes_and_the_password_is_asked_again(app, world, mandatory):
    user = world.users["a.ap_leader"]
    _enrol_at_sign_in(app, user)
    client = fresh_client(app)
    sign_in(client, user)
    for _ in range(4):
        assert post_form(client, CHALLENGE, {"code": "123456"}).status_code == 200
    fifth = client.post(CHALLENGE, data={"code": "123456", "csrf_token": csrf_token(client, CHALLENGE)})
    assert fifth.status_code == 302 and fifth.headers["Location"] == "/sign-in"
    assert "Sign in first" in client.get(CHALLENGE).get_data(as_text=True)


def test_the_code_step_lapses_ten_minutes_after_the_password(app, world, mandatory):
    user = world.users["a.dsl"]
    with school_time("2026-03-02 09:00") as clock:
        _, secret, _ = _enrol_at_sign_in(app, user)
        client = fresh_client(app)
        sign_in(client, user)
        clock.tick(timedelta(minutes=10, seconds=1))
        response = client.post(CHALLENGE, data={"code": _code(secret),
                                                "csrf_token": csrf_token(client, "/sign-in")})
        assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
        assert client.get("/account/").status_code == 302


def test_the_code_step_cannot_be_reached_without_the_password(app, world, mandatory):
    client = fresh_client(app)
    assert "Sign in first" in client.get(CHALLENGE).get_data(as_text=True)


def test_wrong_codes_slow_the_account_as_wrong_passwords_do(app, world, mandatory):
    """Someone with the password but not the phone: each wrong code counts against the account like a wrong
    password (issue 13 item 6), so starting again with the password does not buy five fresh guesses at once;
    the person's own complete sign-in clears the count."""
    from app import throttles

    user = world.users["a.dsl"]
    with school_time("2026-03-02 09:00") as clock:
        _, secret, _ = _enrol_at_sign_in(app, user)
        clock.tick(timedelta(seconds=60))
        guesser = fresh_client(app)
        guesser.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        sign_in(guesser, user)
        for _ in range(MAX_WRONG := 5):
            last = guesser.post(CHALLENGE, data={"code": "123456", "csrf_token": csrf_token(guesser, CHALLENGE)})
        assert last.headers["Location"] == "/sign-in" and MAX_WRONG == throttles.SIGN_IN_FREE_FAILURES
        again = sign_in(guesser, user)  # the right password, at once
        assert again.status_code == 429 and "Wait 15 seconds" in again.get_data(as_text=True)
        clock.tick(throttles.SIGN_IN_FIRST_WAIT)
        assert sign_in(guesser, user).headers["Location"] == CHALLENGE
        assert post_form(guesser, CHALLENGE, {"code": _code(secret)}).headers["Location"] == "/"
        # Complete: the count is cleared, so the next sign-in from there waits for nothing.
        assert sign_in(fresh_client(app), user).headers["Location"] == CHALLENGE
        later = fresh_client(app)
        later.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        assert sign_in(later, user).headers["Location"] == CHALLENGE
