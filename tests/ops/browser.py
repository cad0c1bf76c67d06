"""A browser for tests of running processes over HTTP (urllib, no dependencies)."""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}  # as the TLS proxy sends them
_CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Browser:
    """Just enough of a browser: cookies by hand (they are Secure, and this is plain HTTP behind a pretend
    proxy, so an ordinary cookie jar would rightly refuse to send them)."""

    def __init__(self, port: int):
        self.base, self.cookies = f"http://127.0.0.1:{port}", {}
        self.referer = f"https://127.0.0.1:{port}"  # the page's address as the person's browser saw it

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # Over https, Flask-WTF also checks that a form was posted from this site's own page (Referer).
        sent = {**PROXY, **({"Cookie": cookie} if cookie else {}), **({"Referer": self.referer + path} if body else {})}
        req = urllib.request.Request(self.base + path, data=body, headers={**sent, **(headers or {})})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(req, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), response.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def csrf_token(page: str) -> str:
    return _CSRF.search(page).group(1)
