"""The compiled GOV.UK Frontend (issue 14 item 1): the version the Jinja macros render, no crown and no GDS
Transport, served from static files, and AP Hub's own favicon."""
from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "app/static"


def test_the_compiled_frontend_is_the_version_the_macros_render_and_package_json_pins():
    built = (STATIC / "govuk/VERSION").read_text().strip()
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["govuk-frontend"]
    assert built == pinned == "6.3.0"
    # govuk-frontend-jinja 4.1.x is the release that renders govuk-frontend 6.3 (its compatibility table).
    assert version("govuk-frontend-jinja").startswith("4.1.")
    assert "MIT" in (STATIC / "govuk/LICENCE.txt").read_text()


def test_no_gds_transport_and_no_crown_and_the_trusts_colour():
    css = (STATIC / "govuk/aphub.css").read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "#1d4e89" in css.lower()
    assert not (STATIC / "govuk/images").exists()


def test_pages_load_the_static_script_and_no_inline_script(client, world):
    from tests.helpers import sign_in

    sign_in(client, world.users["a.ap_leader"])
    html = client.get("/alder/placements/").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script type="module" src="/static/app.js">']
    assert " style=" not in html
    assert client.get("/static/govuk/govuk-frontend.min.js").status_code == 200


def test_favicon_is_served_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_api_reference_page_uses_the_committed_swagger_ui_pinned_in_package_json(client):
    built = (STATIC / "swagger-ui/VERSION").read_text().strip()
    assert built == json.loads((ROOT / "package.json").read_text())["devDependencies"]["swagger-ui-dist"]
    assert json.loads((ROOT / "package.json").read_text())["scarfSettings"] == {"enabled": False}
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script src="/static/swagger-ui/swagger-ui-bundle.js" defer>', '<script src="/static/api-reference.js" defer>']
    assert "https://" not in html
