"""Signing in and out: refusals that reveal nothing, throttling, CSRF, cookie flags, inactivity expiry, safe
redirects; then where a person lands: their schools, switching between them, and the key contacts page."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import throttles
from app.clock import now
from app.extensions import db
from app.models import SchoolRole, User
from app.roles import SchoolRoleName
from app.services.sign_in import REFUSED
from tenants import system_scope
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, fresh_client, school_time, sign_in

ROOT = Path(__file__).resolve().parents[2]
THROTTLED = "Too many attempts to sign in with this email address."


@pytest.fixture
def client(app):
    return fresh_client(app)


def _post_sign_in(client, email: str, password: str, next_url: str | None = None):
    url = "/sign-in" + (f"?next={next_url}" if next_url is not None else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _error_summary(response) -> str:
    match = re.search(r'govuk-error-summary__list">\s*<li>\s*(.*?)\s*</li>', _text(response), re.S)
    return match.group(1) if match else ""


# --- signing in ----------------------------------------------------------------------------------------------


def test_signing_in_goes_home_and_on_to_the_only_school(client, world):
    response = sign_in(client, world.users["a.ap_leader"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/alder/"
    assert client.get("/alder/").status_code == 200


def test_a_wrong_password_and_an_unknown_address_read_exactly_the_same(client, world):
    wrong = _post_sign_in(client, "a.ap_leader@test.example.org", "not-the-password")
    unknown = _post_sign_in(client, "nobody.here@test.example.org", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert _error_summary(wrong) == _error_summary(unknown) == REFUSED

    def page(response, email):  # the page minus what differs by design: the token and the address typed
        return re.sub(r'value="[^"]*"', 'value=""', _text(response).replace(email, "EMAIL"))

    assert page(wrong, "a.ap_leader@test.example.org") == page(unknown, "nobody.here@test.example.org")
    assert client.get("/account/").status_code == 302  # still signed out


@pytest.mark.parametrize("email", ["a.ap_leader@test.example.org", "nobody.here@test.example.org"])
def test_too_many_failures_make_the_address_wait_then_it_may_try_again(app, client, world, email):
    # Waits that grow, not a lock (issue 13 item 6): tests/security/test_throttles.py has the whole ladder.
    free, first = throttles.SIGN_IN_FREE_FAILURES, throttles.SIGN_IN_FIRST_WAIT
    with school_time("2026-03-02 09:00") as clock:
        for _ in range(free):
            assert _error_summary(_post_sign_in(client, email, "guess")) == REFUSED
        waiting = _post_sign_in(client, email, PASSWORD)
        assert waiting.status_code == 429 and _error_summary(waiting).startswith(THROTTLED)
        assert f"Wait {int(first.total_seconds())} seconds" in _error_summary(waiting)
        clock.tick(first - timedelta(seconds=1))
        assert _error_summary(_post_sign_in(client, email, PASSWORD)).startswith(THROTTLED)
        clock.tick(timedelta(seconds=1))
        after = _post_sign_in(client, email, PASSWORD)
    if email.startswith("nobody"):
        assert _error_summary(after) == REFUSED  # may try again; still no such account
    else:
        assert after.status_code == 302


def test_the_wait_reads_the_same_for_a_known_and_an_unknown_address(app, client, world):
    pages = []
    for email in ("a.dsl@test.example.org", "nobody.here@test.example.org"):
        for _ in range(throttles.SIGN_IN_FREE_FAILURES):
            _post_sign_in(client, email, "guess")
        pages.append(_post_sign_in(client, email, "guess"))
    assert pages[0].status_code == pages[1].status_code == 429
    assert _error_summary(pages[0]) == _error_summary(pages[1])


def test_one_address_waiting_does_not_hold_up_another(app, client, world):
    for _ in range(throttles.SIGN_IN_FREE_FAILURES):
        _post_sign_in(client, "a.dsl@test.example.org", "guess")
    assert sign_in(client, world.users["a.staff"]).status_code == 302


@pytest.mark.parametrize("change", ["disabled", "archived"])
def test_a_disabled_or_archived_user_cannot_sign_in(client, world, change):
    user = world.users["a.staff"]
    if change == "disabled":
        user.is_enabled = False
    else:
        user.archived_at = now()
    db.session.commit()
    response = sign_in(client, user)
    assert response.status_code == 401 and _error_summary(response) == REFUSED


def test_a_user_disabled_while_signed_in_is_out_at_the_next_request(client, world):
    user = world.users["a.staff"]
    sign_in(client, user)
    assert client.get("/account/").status_code == 200
    user.is_enabled = False
    db.session.commit()
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


# --- CSRF and cookies ----------------------------------------------------------------------------------------


def test_the_sign_in_form_needs_its_csrf_token(client, world):
    response = client.post("/sign-in", data={"email": "a.ap_leader@test.example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account/").status_code == 302


def test_signing_out_needs_a_post_with_its_csrf_token(client, world):
    sign_in(client, world.users["a.ap_leader"])
    client.get("/sign-out", follow_redirects=True)  # a link or an image cannot sign anyone out
    assert client.get("/account/").status_code == 200
    assert client.post("/sign-out").status_code == 400
    assert client.get("/account/").status_code == 200  # still signed in
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "You have signed out." in _text(client.get("/sign-in"))
    response = client.get("/account/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def _session_cookie_header(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def test_the_session_cookie_is_httponly_and_samesite(client, world):
    header = _session_cookie_header(sign_in(client, world.users["a.ap_leader"]))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain http in tests and development


def test_the_session_cookie_is_secure_in_production(tmp_path):
    script = ("import wsgi; r = wsgi.app.test_client().get('/sign-in'); "
              "print([h for h in r.headers.getlist('Set-Cookie') if h.startswith('session=')][0])")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "APHUB_ENV": "production", "SECRET_KEY": "s" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:6399/0",
           "APHUB_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert all(flag in result.stdout for flag in ("Secure", "HttpOnly", "SameSite=Lax")), result.stdout


# --- inactivity ----------------------------------------------------------------------------------------------


def test_a_session_lapses_after_the_idle_limit_and_activity_keeps_it(app, client, world):
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    assert idle == timedelta(minutes=30)
    with school_time("2026-03-02 09:00") as clock:
        sign_in(client, world.users["a.ap_leader"])
        for _ in range(3):  # an hour and a half of steady work, never idle for the limit
            clock.tick(idle - timedelta(minutes=1))
            assert client.get("/alder/").status_code == 200
        stolen = client.get_cookie("session").value
        clock.tick(idle + timedelta(seconds=1))
        response = client.get("/alder/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
        # Refused by the server, not just dropped by the browser: the same cookie replayed is no good either.
        replay = fresh_client(app)
        replay.set_cookie("session", stolen)
        assert replay.get("/alder/").status_code == 302


# --- where sign-in leads -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example/", "/\\/evil.example",
    "javascript:alert(1)", "http:/evil.example", "evil.example", "%2F%2Fevil.example",
])
def test_sign_in_never_sends_someone_off_site(client, world, target):
    response = _post_sign_in(client, "a.ap_leader@test.example.org", PASSWORD, next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(client, world):
    asked = client.get("/alder/key-contacts")
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/sign-in?next=%2Falder%2Fkey-contacts"
    response = _post_sign_in(client, "a.ap_leader@test.example.org", PASSWORD, next_url="/alder/key-contacts")
    assert response.headers["Location"] == "/alder/key-contacts"


def _links(response) -> dict[str, str]:
    return {text.strip(): href for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', _text(response))}


def test_a_person_with_roles_in_two_schools_sees_both_and_switches(client, world):
    sign_in(client, world.users["ac.ap_leader"])
    home = client.get("/")
    assert home.status_code == 200
    links = _links(home)
    assert links["Alder School"] == "/alder/" and links["Cedar Infant School"] == "/cedar/"
    assert "Birch School" not in _text(home)

    alder = client.get(links["Alder School"])
    assert "<h1>Alder School</h1>" in _text(alder)
    switch = _links(alder)["Switch school"]
    assert switch == "/"
    cedar = client.get(_links(client.get(switch))["Cedar Infant School"])
    assert cedar.status_code == 200 and "<h1>Cedar Infant School</h1>" in _text(cedar)
    assert "Alternative Provision Leader" in _text(cedar)  # the role held there


class _Tables(HTMLParser):
    """Each table as (caption, [(row heading, [cells])]), rowspans folded into the heading above."""

    def __init__(self):
        super().__init__()
        self.tables: list[tuple[str, list]] = []
        self._in, self._text, self._row, self._heading = None, "", None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(("", []))
        elif tag in ("caption", "th", "td"):
            self._in, self._text = tag, ""
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.tables[-1] = (self._text.strip(), self.tables[-1][1])
        elif tag == "th" and self._row is not None:
            self._heading = self._text.strip()
        elif tag == "td" and self._row is not None:
            self._row.append(self._text.strip())
        elif tag == "tr" and self._row:
            rows = self.tables[-1][1]
            if rows and rows[-1][0] == self._heading:
                rows[-1][1].append(self._row[0])
            else:
                rows.append((self._heading, [self._row[0]]))
            self._row = None
        if tag in ("caption", "th", "td"):
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text += data


def test_the_key_contacts_page_shows_what_the_policys_first_page_lists(client, world):
    with system_scope("test: a second attendance officer, as the policy's infant and junior schools have"):
        second = make_user("a.attendance2@test.example.org", "Second Officer")
        second.school_roles.append(SchoolRole(school_id=world.a.id, role=SchoolRoleName.ATTENDANCE_OFFICER,
                                              covers="KS4"))
        db.session.commit()
    sign_in(client, world.users["a.staff"])
    page = client.get("/alder/key-contacts")
    assert page.status_code == 200
    parser = _Tables()
    parser.feed(_text(page))
    assert parser.tables == [
        ("Alder School", [
            ("Alternative Provision Leader", ["A Alternative Provision Leader", "Shared AP Leader"]),
            ("Designated Safeguarding Lead (DSL)", ["A Designated Safeguarding Lead (DSL)"]),
            ("Attendance Officer", ["A Attendance Officer (KS3)", "Second Officer (KS4)"]),
            ("Designated Governor for Alternative Provision", ["A Designated Governor for Alternative Provision"]),
        ]),
        ("Local Authority (Testshire Council)", [
            ("Local Authority Approved Provider List / In-Year Fair Access", ["Fair Access Team"]),
            ("Virtual School Headteacher", ["Vivian Head"]),
        ]),
        ("Test Valley Trust", [
            ("Trust Safeguarding Lead", ["Trust Safeguarding Lead"]),
            ("Trust SEND Lead", ["Trust SEND Lead"]),
            ("Designated Trustee for Alternative Provision", ["Designated Trustee for Alternative Provision"]),
        ]),
    ]
    text = _text(page)
    assert 'href="mailto:vsh@la.example.org"' in text and "01632 960900" in text
    assert "B Alternative Provision Leader" not in text  # school B's people are not school A's contacts


def test_a_missing_key_contact_says_who_can_add_it(client, world):
    with system_scope("test: the governor leaves"):
        governor = db.session.get(User, world.users["a.designated_governor"].id)
        governor.archived_at = now()
        db.session.commit()
    sign_in(client, world.users["a.staff"])
    text = _text(client.get("/alder/key-contacts"))
    assert re.search(r"Designated Governor for Alternative Provision</th><td[^>]*>Not set", text)
