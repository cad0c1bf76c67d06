"""The readiness gate (issue 5, item 7): each condition blocks on its own, and the gate opens when all hold."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.policy.placement_readiness import (
    AgreementFacts,
    DirectionFacts,
    PlacementFacts,
    agreement_fields_required,
    readiness,
    review_interval_problem,
)
from app.views.where_to_record import READINESS_PAGES, readiness_page

START = dt.date(2026, 3, 16)  # a Monday
TODAY = dt.date(2026, 3, 9)

FULL_AGREEMENT = AgreementFacts(
    aims_and_outcomes="Re-engage with maths and English", curriculum_and_qualifications="Functional skills L1",
    personal_development="Weekly mentoring", careers_guidance="Two careers sessions", induction="Half-day visit",
    pastoral_arrangements="Key worker", attendance_arrangements="AM/PM call by 10:00",
    safeguarding_arrangements="DSL named; staff checks confirmed in writing", free_school_meals_arrangements=None,
    exam_arrangements=None, communication_arrangements="Weekly email to school and parents",
    cost_amount=Decimal("45.00"), cost_unit="session", review_arrangements="Meeting with pupil, parent, provider",
    review_every_weeks=6, agreed_on=dt.date(2026, 3, 2),
)


def ready(**changes) -> PlacementFacts:
    """Facts of a placement that is ready to start, with `changes` applied."""
    facts = PlacementFacts(
        placement_id=7, pupil_id=3, provider_id=5, start_date=START, today=TODAY, provider_kind="off_site",
        provider_vetting="vetted", pupil_year_group=9, key_information_shared_on=dt.date(2026, 3, 3),
        agreement=FULL_AGREEMENT, weekly_session_count=4,
    )
    return dataclasses.replace(facts, **changes)


def conditions(facts) -> list[str]:
    return [m.condition for m in readiness(facts)]


def test_the_gate_opens_when_every_condition_holds():
    assert readiness(ready()) == []


@pytest.mark.parametrize("changes, condition, section", [
    ({"provider_vetting": "not_vetted"}, "provider_vetted", "7.8, 7.9"),
    ({"provider_vetting": "expired"}, "provider_vetted", "7.8, 7.9"),
    ({"provider_vetting": "lapsed_material_change"}, "provider_vetted", "7.8, 7.9"),
    ({"provider_vetting": None}, "provider_vetted", "7.8, 7.9"),
    ({"provider_suspended": True, "provider_vetting": "suspended"}, "provider_not_suspended", "7.9"),
    ({"registration_breach": True}, "registration_rule", "7.2"),
    ({"provider_kind": "online_only"}, "online_justification", "7.3"),
    ({"provider_kind": "online_only", "online_justification": "   "}, "online_justification", "7.3"),
    ({"needs_analysis_missing": ["no referral recorded"]}, "needs_analysis", "4.3"),
    ({"risk_assessment_missing": ["no risk assessment before the start"]}, "pupil_risk_assessment", "4.3"),
    ({"parent_consultation_missing": ["no consultation recorded"]}, "parents_consulted", "7.4"),
    ({"key_information_shared_on": None}, "key_information_shared", "7.10"),
    ({"agreement": None}, "commissioning_agreement", "7.11"),
    ({"agreement": dataclasses.replace(FULL_AGREEMENT, induction="")}, "commissioning_agreement", "7.11"),
    ({"agreement": dataclasses.replace(FULL_AGREEMENT, cost_amount=None)}, "commissioning_agreement", "7.11"),
    ({"agreement": dataclasses.replace(FULL_AGREEMENT, agreed_on=None)}, "commissioning_agreement", "7.11"),
    ({"pupil_fsm_eligible": True}, "commissioning_agreement", "7.11"),
    ({"pupil_year_group": 11}, "commissioning_agreement", "7.11"),
    ({"agreement": dataclasses.replace(FULL_AGREEMENT, review_every_weeks=7)}, "review_frequency", "8.3"),
    ({"weekly_session_count": 0}, "weekly_pattern", "7.11"),
])
def test_each_condition_blocks_on_its_own(changes, condition, section):
    [missing] = readiness(ready(**changes))
    assert (missing.condition, missing.section) == (condition, section)
    assert missing.line and missing.condition in READINESS_PAGES


def test_lines_link_to_where_each_thing_is_done():
    placement = SimpleNamespace(id=7, pupil_id=3, provider_id=5)
    links = {m.condition: readiness_page(m, placement) for m in readiness(ready(
        provider_vetting="not_vetted", needs_analysis_missing=["x"], risk_assessment_missing=["x"],
        parent_consultation_missing=["x"], key_information_shared_on=None, agreement=None, weekly_session_count=0))}
    assert links == {
        "provider_vetted": ("providers.show", {"provider_id": 5}),
        "needs_analysis": ("pupils.new_referral", {"pupil_id": 3}),
        "pupil_risk_assessment": ("pupils.new_risk_assessment", {"pupil_id": 3}),
        "parents_consulted": ("pupils.new_consultation", {"pupil_id": 3, "placement_id": 7}),
        "key_information_shared": ("placements.key_information", {"placement_id": 7}),
        "commissioning_agreement": ("placements.edit_agreement", {"placement_id": 7}),
        "weekly_pattern": ("placements.edit_sessions", {"placement_id": 7}),
    }


def test_the_agreement_names_each_field_it_lacks():
    [missing] = readiness(ready(agreement=dataclasses.replace(FULL_AGREEMENT, induction=None, careers_guidance=" "),
                                pupil_fsm_eligible=True))
    assert missing.line == ("The agreement does not yet say: careers information, advice and guidance, induction, "
                            "free school meals.")


def test_free_school_meals_and_exams_are_required_only_when_they_apply():
    base = agreement_fields_required(fsm_eligible=False, year_group=9)
    assert "free_school_meals_arrangements" not in base and "exam_arrangements" not in base
    assert "free_school_meals_arrangements" in agreement_fields_required(fsm_eligible=True, year_group=9)
    assert "exam_arrangements" in agreement_fields_required(fsm_eligible=False, year_group=10)
    assert readiness(ready(pupil_fsm_eligible=True, pupil_year_group=10, agreement=dataclasses.replace(
        FULL_AGREEMENT, free_school_meals_arrangements="Hot lunch provided", exam_arrangements="Entered by school"))) == []


def test_on_site_provision_needs_no_provider_vetting_and_no_agreement():
    assert readiness(ready(provider_kind="on_site", provider_vetting="not_vetted", agreement=None)) == []
    # ... but the pupil's records, key information and the weekly pattern still do
    assert conditions(ready(provider_kind="on_site", weekly_session_count=0, key_information_shared_on=None)) == [
        "key_information_shared", "weekly_pattern"]


def test_an_expiring_vetting_still_lets_a_placement_start():
    assert readiness(ready(provider_vetting="expiring")) == []


def test_a_suspended_provider_blocks_even_when_its_vetting_is_current():
    assert conditions(ready(provider_suspended=True, provider_vetting="vetted")) == ["provider_not_suspended"]


def test_an_online_provider_with_a_justification_is_ready():
    assert readiness(ready(provider_kind="online_only", online_justification="No local provider teaches GCSE "
                                                                             "physics to a pupil unable to travel")) == []


# --- involvement: the EHCP and looked-after branches (7.5, 7.6) ----------------------------------------------


@dataclasses.dataclass
class Item:
    party: str
    line: str


def test_ehcp_involvement_missing_blocks_and_links_to_the_la_send_involvement_form():
    [missing] = readiness(ready(involvement_missing=[Item("local_authority_send", "Involve the LA SEND team (7.5).")]))
    assert (missing.condition, missing.section) == ("involvement", "7.5")
    assert missing.line == "Involve the LA SEND team (7.5)."
    assert missing.detail == {"party": "local_authority_send"}


def test_looked_after_involvement_lists_the_virtual_school_head_and_the_social_worker_each():
    missing = readiness(ready(involvement_missing=[Item("virtual_school_head", "Involve the VSH."),
                                                   Item("social_worker", "Involve the social worker.")]))
    assert [(m.condition, m.detail["party"]) for m in missing] == [
        ("involvement", "virtual_school_head"), ("involvement", "social_worker")]


def test_involvement_items_given_as_plain_strings_still_make_lines():
    [missing] = readiness(ready(involvement_missing=["The Virtual School Headteacher has not been involved"]))
    assert missing.line == "The Virtual School Headteacher has not been involved"
    assert missing.detail == {}


# --- off-site direction (section 6) --------------------------------------------------------------------------

DIRECTION = DirectionFacts(governing_body_approved_on=dt.date(2026, 3, 4), review_on=dt.date(2026, 4, 20),
                           ends_by=dt.date(2026, 5, 22), parents_letter_sent_on=dt.date(2026, 3, 10),
                           latest_letter_date=dt.date(2026, 3, 12))


def directed(**changes) -> PlacementFacts:
    return ready(is_off_site_direction=True, direction=dataclasses.replace(DIRECTION, **changes))


def test_a_direction_with_approval_time_limit_and_letter_is_ready():
    assert readiness(directed()) == []


def test_a_direction_not_yet_recorded_blocks_on_each_of_its_conditions():
    assert conditions(ready(is_off_site_direction=True)) == [
        "direction_recorded", "governing_body_approval", "parents_letter"]


def test_a_direction_without_governing_body_approval_is_refused():
    [missing] = readiness(directed(governing_body_approved_on=None))
    assert (missing.condition, missing.section) == ("governing_body_approval", "6.4")
    assert READINESS_PAGES[missing.condition] == ("placements.direction", "placement")


def test_approval_dated_after_the_start_does_not_count():
    [missing] = readiness(directed(governing_body_approved_on=START + dt.timedelta(days=1)))
    assert missing.condition == "governing_body_approval" and "before the direction starts" in missing.line


@pytest.mark.parametrize("changes", [{"review_on": None}, {"ends_by": None}, {"ends_by": START},
                                     {"review_on": dt.date(2026, 6, 1)}])
def test_a_direction_must_be_time_limited_with_a_review(changes):
    [missing] = readiness(directed(**changes))
    assert (missing.condition, missing.section) == ("direction_recorded", "6.2")


def test_a_letter_not_yet_sent_blocks_and_says_by_when():
    [missing] = readiness(directed(parents_letter_sent_on=None))
    assert (missing.condition, missing.section) == ("parents_letter", "6.5")
    assert "by Thursday 12 March 2026" in missing.line


def test_a_letter_sent_too_late_blocks():
    [missing] = readiness(directed(parents_letter_sent_on=dt.date(2026, 3, 13)))
    assert missing.condition == "parents_letter" and "later than 12 March 2026" in missing.line


def test_a_letter_date_that_cannot_be_worked_out_blocks_with_a_reason():
    [missing] = readiness(directed(latest_letter_date=None))
    assert missing.condition == "parents_letter" and "term dates" in missing.line


def test_a_placement_not_directed_ignores_the_direction_conditions():
    assert readiness(ready(is_off_site_direction=False, direction=None)) == []


def test_the_review_interval_rule_on_its_own():
    assert review_interval_problem(6, "off_site") is None
    assert review_interval_problem(None, "off_site") is None
    assert "every 6 weeks at most" in review_interval_problem(7, "off_site")
    assert review_interval_problem(12, "on_site") is None  # the school's own provision is reviewed in school
