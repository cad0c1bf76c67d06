"""The trust overview leads the trust safeguarding lead to the cross-school provider and placement pages."""
from __future__ import annotations

from tests.providers.test_provider_pages import client_for


def test_the_trust_overview_links_to_placements_registration_and_concerns(app, world):
    lead = client_for(app, world.users["trust.trust_safeguarding_lead"])
    page = lead.get("/trust/").get_data(as_text=True)
    for url in ("/trust/placements", "/trust/providers/registration", "/trust/providers/concerns"):
        assert f'href="{url}"' in page, url
        assert lead.get(url).status_code == 200, url
