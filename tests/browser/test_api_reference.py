"""The API's reference page (issue 17 item 2): Swagger UI from this site's own static files (no CDN), under the
site's Content-Security-Policy (no inline script), listing the generated document's operations."""
from __future__ import annotations


def test_the_reference_page_renders_the_document_under_the_csp(page, live_server):
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto("/api/v1/docs")
    assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    # A 1.7 MB script to parse and a document to render: generous under a loaded CI machine.
    page.locator(".opblock-summary-path", has_text="/api/v1/schools/{school_slug}/placements").first.wait_for(
        timeout=60_000)
    assert page.locator(".opblock").count() > 40
    assert problems == []
    assert all(url.startswith(live_server) for url in requests), "the page fetched something from elsewhere"
