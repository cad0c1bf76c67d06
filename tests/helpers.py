"""Helpers for tests: signing in through the real form (CSRF included), and frozen school-local time."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime

from flask.testing import FlaskClient
from freezegun import freeze_time

from app.clock import SCHOOL_TZ
from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/sign-in") -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def sign_in(client, user_or_email, password: str = PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """POST a form with the CSRF token taken from the page that shows it."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


@contextmanager
def school_time(local: str, tick: bool = False):
    """Freeze time at a wall-clock time in England, e.g. school_time("2026-03-30 09:15")."""
    instant = datetime.fromisoformat(local).replace(tzinfo=SCHOOL_TZ)
    with freeze_time(instant, tick=tick) as frozen:
        yield frozen


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The `app` fixture keeps one app context pushed for the whole test, and Flask reuses it for requests made
    meanwhile: `g` (where Flask-Login caches the user) and the database session would then carry over from
    one request to the next, hiding expired sessions, disabled users and identity-map leaks."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        from tests.api_conformance import check_response

        check_response(self.application, response)  # an API answer must be what the document says
        return response


def fresh_client(app) -> FreshContextClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)


_CLASS_ATTRIBUTE = re.compile(r'\s(?:class|data-module)="[^"]*"')
_LINE_BREAKS_AT_TAGS = re.compile(r">[ \t]*\n\s*|\s*\n[ \t]*<")


def plain_html(html: str) -> str:
    """The page with GOV.UK Frontend's class (and data-module) attributes and the whitespace between tags taken
    out, so a test can assert what a page says and links to without restating the design system's markup."""
    html = _CLASS_ATTRIBUTE.sub("", html)
    # Line breaks beside a tag are the component macros' layout, not text.
    return _LINE_BREAKS_AT_TAGS.sub(lambda m: ">" if m.group(0).startswith(">") else "<", html)
