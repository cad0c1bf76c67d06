"""Browser journeys: the real app served on loopback, driven by Debian's Chromium through Playwright.

The live server serves the session's test app (tests/conftest.py `_app`: migrated database, real Redis and SMTP),
so a journey sees exactly what the `world` fixture committed, and the `app` fixture empties it afterwards.

.ci/run runs the journeys once, in its PostgreSQL pass (production's database), and leaves them out of its SQLite
pass (`--ignore=tests/browser`): the pages they drive are requested on both databases by the rest of the suite
(tests/views, tests/security/test_field_sweep.py). Run directly, they use whichever database the run uses.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
# As root Chromium needs --no-sandbox; the rest keep it from reaching for the network this machine does not have.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(_app):
    """The test app on a free loopback port, one thread per request, for the whole session."""
    server = make_server("127.0.0.1", free_port(), _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the browser journeys need Debian's Chromium "
                    "(apt-get install chromium; scripts/test.sh checks this, .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, app):
    """A fresh browser context per test (no cookies carried over), pointed at the live server."""
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where each journey leaves a picture of its final page: APHUB_SCREENSHOT_DIR, else a pytest tmp dir."""
    chosen = os.environ.get("APHUB_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def screenshot(page, screenshot_dir, request):
    """Call at the end of a journey: saves the whole page as <test name>.png and returns the path."""

    def take() -> Path:
        path = screenshot_dir / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
