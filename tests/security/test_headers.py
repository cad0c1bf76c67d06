"""Item 9 of issue 13: security headers on every response, over every GET page of the app and the admin, and
no inline script or style in any page (so the Content-Security-Policy needs no 'unsafe-inline')."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from app.services import api_tokens
from tests.helpers import fresh_client, sign_in
from tests.views.test_permissions import admin_urls, fill, get_rules

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def _problems(url: str, response, personal: bool) -> list[str]:
    h = response.headers
    csp = h.get("Content-Security-Policy", "")
    problems = []
    for needed in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"):
        if needed not in csp:
            problems.append(f"{url}: CSP lacks {needed}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{url}: CSP allows inline script or style")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no nosniff")
    if h.get("Referrer-Policy") not in ("no-referrer", "same-origin", "strict-origin"):
        problems.append(f"{url}: referrer policy {h.get('Referrer-Policy')}")
    if h.get("X-Frame-Options") != "DENY":
        problems.append(f"{url}: X-Frame-Options {h.get('X-Frame-Options')}")
    if personal and "no-store" not in h.get("Cache-Control", ""):
        problems.append(f"{url}: Cache-Control {h.get('Cache-Control')} on a page with personal data")
    if "Strict-Transport-Security" in h:
        problems.append(f"{url}: HSTS outside production (would pin plain-http development to https)")
    if response.status_code == 200 and response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTR),
                              ("<style> element", STYLE_ELEMENT), ("on...= handler", EVENT_ATTR)):
            if pattern.search(body) and not url.startswith("/admin/"):
                problems.append(f"{url}: {name}")
    return problems


def test_every_get_page_sends_the_security_headers(app, world):
    cookies = fresh_client(app)
    user = world.users["a.headteacher"]
    assert sign_in(cookies, user).status_code == 302
    bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'headers')}"}
    ids: dict = {}
    problems, seen = [], 0
    for rule in get_rules(app):
        url = fill(app, rule, world.a, ids)
        response = cookies.get(url, headers=bearer if url.startswith("/api/") else {})
        seen += 1
        problems += _problems(url, response, personal=True)
    anonymous = fresh_client(app)
    for url in ("/sign-in", "/no-such-page", "/alder/pupils/"):
        problems += _problems(url, anonymous.get(url), personal=True)
    assert seen > 50
    assert problems == []


def test_the_admin_pages_send_them_too(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["trust.designated_trustee"])
    problems = []
    for url in admin_urls(app, world):
        response = client.get(url)
        assert response.status_code == 200, url
        problems += _problems(url, response, personal=True)
        # Flask-Admin's own few inline scripts run only with this response's nonce, never as plain inline.
        body = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        for tag in INLINE_SCRIPT.findall(body):
            assert nonce and f'nonce="{nonce.group(1)}"' in tag, (url, tag)
    assert problems == []


def test_static_files_may_be_cached(app):
    response = fresh_client(app).get("/static/govuk/aphub.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_in_production(tmp_path):
    script = ("import wsgi; r = wsgi.app.test_client().get('/sign-in'); "
              "print(r.headers.get('Strict-Transport-Security'))")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "APHUB_ENV": "production", "SECRET_KEY": "s" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:6399/0",
           "APHUB_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "max-age=31536000" in result.stdout and "includeSubDomains" in result.stdout
