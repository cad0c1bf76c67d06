"""Accessibility checks with axe-core, injected into the page under test.

axe-core comes from npm, locked in package-lock.json, into node_modules (scripts/test.sh runs `npm ci`); nothing
is vendored. A missing copy fails the test with how to get it: an accessibility check that silently does not run is worse than none.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("APHUB_AXE_JS") or PROJECT_ROOT / "node_modules/axe-core/axe.min.js")
# WCAG 2.2 A and AA, the level public-sector sites in England are held to.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run scripts/test.sh (it installs it), or "
                    "`npm ci` (needs npm: apt-get install npm)")
    # Evaluated through DevTools rather than added as a <script>: the app's Content-Security-Policy (rightly)
    # refuses inline script, and the page under test should be checked with its real policy in force.
    page.evaluate("source => { (0, eval)(source); }", AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return result["violations"]


def assert_no_serious_violations(page) -> None:
    """No serious or critical WCAG A/AA violation on the page as it stands."""
    serious = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    described = []
    for v in serious:
        where = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        described.append(f"{v['impact']}: {v['id']} ({v['help']}) at {where}")
    assert not serious, f"accessibility violations on {page.url}:\n" + "\n".join(described)
