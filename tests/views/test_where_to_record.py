"""Every missing item has a page that records it (issue 12 item 1): the rules name no endpoints, and the view-side
table (app/views/where_to_record.py) maps each readiness condition and each pre-placement code to a page this app
can build a URL for. A missing page is a failing test here, not a link that silently disappears."""
from __future__ import annotations

from types import SimpleNamespace

from flask import url_for

from app.policy import pre_placement
from app.policy.placement_readiness import CONDITIONS, Missing, readiness
from app.views.where_to_record import READINESS_PAGES, pre_placement_page, readiness_page
from tests.placements.test_readiness_policy import ready

PLACEMENT = SimpleNamespace(id=7, pupil_id=3, provider_id=5)


def _every_readiness_condition() -> set[str]:
    """The condition names the gate can return, found by running it on facts that miss everything."""
    facts = ready(provider_vetting="not_vetted", provider_suspended=True, registration_breach=True,
                  provider_kind="online_only", online_justification=None, needs_analysis_missing=["x"],
                  risk_assessment_missing=["x"], parent_consultation_missing=["x"], involvement_missing=["x"],
                  key_information_shared_on=None, agreement=None, weekly_session_count=0,
                  is_off_site_direction=True, direction=None)
    return {m.condition for m in readiness(facts)}


def test_the_table_covers_every_condition_of_the_gate_and_nothing_else():
    assert set(READINESS_PAGES) == {condition.__name__ for condition in CONDITIONS}
    # review_frequency and provider_vetted need facts the all-missing run above cannot give at once
    assert _every_readiness_condition() <= set(READINESS_PAGES)


def test_every_readiness_condition_builds_a_url(app):
    with app.test_request_context("/"):
        for condition in READINESS_PAGES:
            endpoint, args = readiness_page(Missing(condition, "x", "line"), PLACEMENT)
            assert url_for(endpoint, school_slug="alder", **args).startswith("/alder/"), condition


def test_every_pre_placement_code_builds_a_url(app):
    with app.test_request_context("/"):
        for code in pre_placement.CODES:
            missing = pre_placement.Missing(code, "x", "message", party="social_worker", reviews_id=11)
            endpoint, args = pre_placement_page(missing, pupil_id=3, placement_id=7)
            assert url_for(endpoint, school_slug="alder", **args).startswith("/alder/pupils/3/"), code


def test_the_pages_carry_what_the_item_says():
    involve = Missing("involvement", "7.5", "Involve the LA", {"party": "local_authority_send"})
    assert readiness_page(involve, PLACEMENT) == ("pupils.new_involvement",
                                                  {"pupil_id": 3, "party": "local_authority_send"})
    assert readiness_page(Missing("parents_consulted", "7.4", "x"), PLACEMENT) == (
        "pupils.new_consultation", {"pupil_id": 3, "placement_id": 7})
    overdue = pre_placement.Missing("risk_assessment.review_overdue", "4.3", "x", reviews_id=11)
    assert pre_placement_page(overdue, 3) == ("pupils.new_risk_assessment", {"pupil_id": 3, "reviews": 11})


def test_the_codes_list_every_code_the_rules_return():
    referral = SimpleNamespace(academic_needs=None, personal_needs=None, social_needs=None, reasons=[],
                               options_considered=None)
    codes = {m.code for m in pre_placement.needs_analysis_missing(referral)}
    codes |= {m.code for m in pre_placement.needs_analysis_missing(None)}
    codes |= {m.code for m in pre_placement.parent_consultation_missing([])}
    assert codes <= set(pre_placement.CODES)
