"""Everything linked (issue 14 item 4, in part): a pupil's page links their placements and plans a placement for
them; a placement's page links its pupil and provider; the placements list links both."""
from __future__ import annotations

from tests.helpers import fresh_client, sign_in


def test_pupil_and_placement_pages_link_to_each_other(app, world, ready):
    client = fresh_client(app)
    assert sign_in(client, world.users["a.ap_leader"]).status_code == 302
    pupil_page = client.get(f"/alder/pupils/{ready.pupil_id}").get_data(as_text=True)
    assert f'href="/alder/placements/{ready.placement_id}"' in pupil_page
    assert f'href="/alder/placements/new?pupil_id={ready.pupil_id}"' in pupil_page
    new = client.get(f"/alder/placements/new?pupil_id={ready.pupil_id}").get_data(as_text=True)
    assert f'<option value="{ready.pupil_id}" selected>' in new
    placement_page = client.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True)
    assert f'href="/alder/pupils/{ready.pupil_id}"' in placement_page
    assert f'href="/alder/providers/{ready.provider_id}"' in placement_page
    listing = client.get("/alder/placements/").get_data(as_text=True)
    assert f'href="/alder/providers/{ready.provider_id}"' in listing

