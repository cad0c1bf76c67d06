"""Checks on one page (issue 14 item 2): the 7.8 items still to do are answered in place and saved together (all
or nothing), a met item needs its evidence, done items say so, "Save and next" still walks one item at a time,
and once every check is done and the provider has a site and a contact the page leads to the approval."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import ProviderCheck
from tenants import system_scope
from tests.helpers import csrf_token, fresh_client, plain_html, school_time, sign_in


def _post(client, url, data, form_url=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)})


def _started(app, world, **details):
    leader = fresh_client(app)
    assert sign_in(leader, world.users["a.ap_leader"]).status_code == 302
    made = _post(leader, "/alder/providers/new", {"name": "Greenway Skills", "kind": "off_site",
                                                  "registration_status": "unregistered", **details})
    provider_id = int(re.search(r"/providers/(\d+)", made.headers["Location"]).group(1))
    _post(leader, f"/alder/providers/{provider_id}/checks", {}, form_url=f"/alder/providers/{provider_id}")
    with system_scope("test"):
        check = db.session.scalar(select(ProviderCheck).where(ProviderCheck.provider_id == provider_id))
        codes = [row.item for row in check.items]
        return leader, provider_id, check.id, codes


def _outcomes(check_id):
    with system_scope("test"):
        check = db.session.get(ProviderCheck, check_id)
        db.session.refresh(check)
        return {row.item: (row.outcome.value if row.outcome else None) for row in check.items}


def test_every_item_is_answered_in_place_and_the_page_then_leads_to_approval(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader, provider_id, check_id, codes = _started(app, world)
        url = f"/alder/providers/checks/{check_id}"
        raw = leader.get(url).get_data(as_text=True)
        assert len(set(re.findall(r'name="([a-z_]+)-outcome"', raw))) == len(codes) == 25
        answers = {f"{code}-outcome": "met" for code in codes} | {f"{code}-text": "Seen on the visit" for code in codes}
        saved = _post(leader, url, {**answers, "save": "answers"})
        assert saved.status_code == 302 and saved.headers["Location"] == url
        done = plain_html(leader.get(url).get_data(as_text=True))
        assert "25 of 25 checks done." in done and "Not yet checked" not in done
        # Vetting needs a site and a contact (issue 14 item 2): the page says so before offering the approval.
        assert "Every check is answered" not in done and done.count("To do") == 2
        _post(leader, f"/alder/providers/{provider_id}/sites/new", {"name": "Yard", "address": "Long Lane"})
        _post(leader, f"/alder/providers/{provider_id}/contacts/new", {"name": "Sam Field", "phone": "01632 960001"})
        ready = plain_html(leader.get(url).get_data(as_text=True))
    assert "Every check is answered: the risk assessment and approval come next." in ready
    assert set(_outcomes(check_id).values()) == {"met"}


def test_a_met_item_without_evidence_is_refused_and_nothing_is_saved(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader, _, check_id, codes = _started(app, world)
        url = f"/alder/providers/checks/{check_id}"
        refused = _post(leader, url, {f"{codes[0]}-outcome": "met", f"{codes[0]}-text": "Seen",
                                      f"{codes[1]}-outcome": "met", f"{codes[2]}-outcome": "not_applicable",
                                      f"{codes[3]}-text": "Typed but no outcome", "save": "answers"})
        page = plain_html(refused.get_data(as_text=True))
    assert refused.status_code == 200 and "There is a problem" in page
    assert "Give the evidence for a met check" in page
    assert "Say why this check does not apply to this provider." in page
    assert "Choose met, not met or not applicable." in page
    assert f'href="#{codes[1]}-text"' in refused.get_data(as_text=True)
    assert set(_outcomes(check_id).values()) == {None}  # all or nothing


def test_mark_each_check_with_evidence_as_met(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader, _, check_id, codes = _started(app, world)
        url = f"/alder/providers/checks/{check_id}"
        saved = _post(leader, url, {f"{codes[0]}-text": "Certificate seen", f"{codes[1]}-text": "Policy read",
                                    f"{codes[2]}-outcome": "not_met", f"{codes[2]}-text": "No fire doors",
                                    "save": "evidenced-met"})
        assert saved.status_code == 302
        outcomes = _outcomes(check_id)
        page = plain_html(leader.get(url).get_data(as_text=True))
    assert (outcomes[codes[0]], outcomes[codes[1]], outcomes[codes[2]]) == ("met", "met", "not_met")
    assert outcomes[codes[3]] is None  # nothing written: not answered
    assert "2 of 25 checks done." in page


def test_save_and_next_on_an_items_own_page_walks_what_is_left(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader, _, check_id, codes = _started(app, world)
        url = f"/alder/providers/checks/{check_id}"
        _post(leader, url, {**{f"{code}-outcome": "met" for code in codes[:-2]},
                            **{f"{code}-text": "Seen" for code in codes[:-2]}, "save": "answers"})
        listing = leader.get(url).get_data(as_text=True)
        here = re.search(r'href="(/alder/providers/check-items/\d+)"', listing).group(1)  # change a done one
        saved = _post(leader, here, {"outcome": "met", "evidence_note": "Seen again"})
        visited = []
        here = saved.headers["Location"]
        while "/check-items/" in here:
            visited.append(here)
            here = _post(leader, here, {"outcome": "met", "evidence_note": "Seen on the visit"}).headers["Location"]
    assert len(visited) == 2 and here == url

