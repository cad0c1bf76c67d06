"""Policy 7.8: the checklist as data, and what stops approval."""
from __future__ import annotations

from dataclasses import dataclass

from app.policy.provider_checks import (
    CHECK_ITEMS,
    ITEMS_BY_CODE,
    evidence_problem,
    item_problem,
    items_for,
    missing_check_items,
    missing_provider_details,
)


@dataclass
class State:
    outcome: str | None
    not_applicable_reason: str | None = None


def all_met(kind: str) -> dict:
    return {item.code: State("met") for item in items_for(kind)}


def test_every_item_has_a_code_label_group_and_section():
    assert len({i.code for i in CHECK_ITEMS}) == len(CHECK_ITEMS)
    assert all(i.label and i.group and i.section.startswith("7.8") for i in CHECK_ITEMS)


def test_kcsie_written_confirmation_is_its_own_item():
    item = ITEMS_BY_CODE["staff_checks_written_confirmation"]
    assert "Written confirmation" in item.label and "KCSIE" in item.section


def test_a_visit_for_premises_and_a_call_for_online_only_providers():
    off_site = {i.code for i in items_for("off_site")}
    online = {i.code for i in items_for("online_only")}
    assert "visit" in off_site and "remote_contact" not in off_site
    assert "remote_contact" in online and "visit" not in online
    assert not any(code.startswith("environment_") for code in online)


def test_nothing_missing_when_every_item_is_met():
    assert missing_check_items(all_met("off_site"), "off_site") == []


def test_an_unrecorded_item_is_missing():
    items = all_met("off_site")
    del items["staff_checks_written_confirmation"]
    assert missing_check_items(items, "off_site") == ["staff_checks_written_confirmation"]


def test_an_item_with_no_outcome_yet_is_missing():
    items = {**all_met("online_only"), "remote_contact": State(None)}
    assert missing_check_items(items, "online_only") == ["remote_contact"]


def test_not_met_blocks_approval():
    items = {**all_met("off_site"), "environment_fire_safety": State("not_met")}
    assert missing_check_items(items, "off_site") == ["environment_fire_safety"]
    assert item_problem(items["environment_fire_safety"]) == "not met"


def test_not_applicable_needs_a_reason():
    items = {**all_met("off_site"), "environment_catering": State("not_applicable", "  ")}
    assert missing_check_items(items, "off_site") == ["environment_catering"]
    items["environment_catering"] = State("not_applicable", "Pupils bring a packed lunch; no food is prepared")
    assert missing_check_items(items, "off_site") == []


def test_items_for_another_kind_do_not_count():
    assert missing_check_items(all_met("online_only"), "off_site")[-1] == "visit"


def test_missing_items_come_in_the_policys_order():
    assert missing_check_items({}, "on_site") == [i.code for i in items_for("on_site")]


def test_an_unknown_outcome_is_a_problem():
    assert item_problem(State("maybe")) == "unknown outcome 'maybe'"
    assert item_problem(None) == "not yet checked"


def test_a_met_item_needs_a_note_or_a_file():
    assert "Give the evidence" in evidence_problem("met", "  ", 0)
    assert evidence_problem("met", "Seen on the visit", 0) is None
    assert evidence_problem("met", None, 1) is None


def test_only_a_met_item_is_held_to_its_evidence():
    assert evidence_problem("not_met", None, 0) is None
    assert evidence_problem("not_applicable", None, 0) is None
    assert evidence_problem(None, None, 0) is None


def test_vetting_needs_a_site_for_premises_and_a_contact_for_every_provider():
    assert missing_provider_details("off_site", 1, 1) == []
    assert missing_provider_details("off_site", 0, 1) == ["Add at least one site (where the pupils go)."]
    assert missing_provider_details("on_site", 1, 0) == ["Add at least one contact at the provider."]
    assert missing_provider_details("online_only", 0, 1) == []  # no premises: no site
    assert len(missing_provider_details("online_only", 0, 0)) == 1
