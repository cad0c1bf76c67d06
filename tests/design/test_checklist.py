"""Checks on one task-list page (issue 14 item 2, in part): each 7.8 item says whether it is done, and "Save and
next" goes straight on to the next item not yet answered, then back to the list, which leads to the approval."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import ProviderCheck
from tenants import system_scope
from tests.helpers import csrf_token, fresh_client, plain_html, school_time, sign_in


def _post(client, url, data, form_url=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def test_save_and_next_walks_the_checklist_and_the_task_list_says_what_is_done(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader = fresh_client(app)
        assert sign_in(leader, world.users["a.ap_leader"]).status_code == 302
        made = _post(leader, "/alder/providers/new", {"name": "Greenway Skills", "kind": "off_site",
                                                      "registration_status": "unregistered"})
        provider_id = int(re.search(r"/providers/(\d+)", made.headers["Location"]).group(1))
        _post(leader, f"/alder/providers/{provider_id}/checks", {}, form_url=f"/alder/providers/{provider_id}")
        with system_scope("test"):
            check = db.session.scalar(select(ProviderCheck).where(ProviderCheck.provider_id == provider_id))
            check_id = check.id
            rows = sorted(row.id for row in check.items)
        raw = leader.get(f"/alder/providers/checks/{check_id}").get_data(as_text=True)
        assert raw.count('<li class="govuk-task-list__item govuk-task-list__item--with-link">') == 25
        listing = plain_html(raw)
        assert listing.count("Not yet checked") == len(rows) == 25
        # Answer the first item the list links to; each save leads to the next one not yet answered.
        here = re.search(r'href="(/alder/providers/check-items/\d+)"', listing).group(1)
        visited = []
        for _ in range(25):
            visited.append(here)
            saved = _post(leader, here, {"outcome": "met", "evidence_note": "Seen on the visit"})
            assert saved.status_code == 302
            here = saved.headers["Location"]
            if "/check-items/" not in here:
                break
        assert len(set(visited)) == 25 and here == f"/alder/providers/checks/{check_id}"
        done = plain_html(leader.get(here).get_data(as_text=True))
    assert "25 of 25 checks done." in done and "Not yet checked" not in done
    assert "Every check is answered: the risk assessment and approval come next." in done
