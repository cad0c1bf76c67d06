"""Security headers on every response (issue 13 item 9).

The Content-Security-Policy allows scripts, styles, images and fonts from this site only: no inline script or
style anywhere (a stored-script bug then cannot run), no framing (clickjacking), no plugins, no <base> rewrite,
forms post only here. Flask-Admin's few inline scripts carry a per-response nonce, on the admin pages only.
Pages are `no-store`: nearly every page names a child, and a shared school computer's back button or disk
cache must not show the next person someone else's records. Static files stay cacheable."""
from __future__ import annotations

import secrets

from flask import g, request

CSP = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csp_nonce() -> str:
    """The nonce of this response (Flask-Admin's csp_nonce_generator): made once per request."""
    if "_csp_nonce" not in g:
        g._csp_nonce = secrets.token_urlsafe(16)
    return g._csp_nonce


def init_app(app) -> None:
    @app.after_request
    def _security_headers(response):
        nonce = g.get("_csp_nonce")
        response.headers["Content-Security-Policy"] = CSP.format(nonce=f" 'nonce-{nonce}'" if nonce else "")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"  # for browsers that predate frame-ancestors
        response.headers["Referrer-Policy"] = "no-referrer"  # page and token URLs never leave in a Referer
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("HSTS_SECONDS"):
            response.headers["Strict-Transport-Security"] = f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
        if request.endpoint not in ("static", "admin.static") and not (request.endpoint or "").endswith(".static"):
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
