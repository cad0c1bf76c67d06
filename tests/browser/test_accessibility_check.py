"""The accessibility check itself: it must run axe-core for real and catch what it is there to catch."""
import pytest

from tests.browser.accessibility import assert_no_serious_violations, axe_violations

UNLABELLED_FORM = """<!doctype html><html lang="en"><head><title>t</title></head>
<body><main><h1>Form</h1><input type="text" name="upn"><img src="data:," ></main></body></html>"""


def test_axe_reports_an_unlabelled_field_and_an_image_without_alt(page):
    page.set_content(UNLABELLED_FORM)

    found = {v["id"]: v["impact"] for v in axe_violations(page)}

    assert found.get("label") == "critical"
    assert found.get("image-alt") == "critical"
    with pytest.raises(AssertionError, match="critical: label"):
        assert_no_serious_violations(page)
