"""Behind a TLS-terminating proxy: trust its X-Forwarded-* headers, and only as many hops as there are proxies.

With `PROXY_HOPS` = 0 (development) the headers are ignored; a client could otherwise claim any address or
scheme. In production the default is one proxy in front (docs/production.md)."""
from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app) -> None:
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=0)
