"""The school census's AP placements rules (issue 16 item 7): scope, the provider's one identifier, the primary
reason, the leaving date and every missing item, a test per branch."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.policy import census_codes as codes
from app.policy import census_placements as rules

FIRST, LAST = dt.date(2026, 9, 3), dt.date(2026, 10, 1)  # autumn census period, census day last


def facts(**changes) -> rules.CensusFacts:
    base = rules.CensusFacts(
        status="active", arranged_by="school", provider_kind="off_site", start_date=dt.date(2026, 9, 7),
        ended_on=None, provider_urn="123456", provider_ukprn=None, provider_setting_type=None, chosen_reason=None,
        off_site_direction=False, referral_reasons=("risk_of_permanent_exclusion",), sessions_per_week=4)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("changes", "returned"), [
    ({}, True),
    ({"provider_kind": "online_only"}, True),
    ({"provider_kind": "on_site"}, False),  # on-site provision is not returned
    ({"arranged_by": "local_authority"}, False),
    ({"status": "planned"}, False),
    ({"status": "cancelled"}, False),
    ({"status": "ended", "ended_on": FIRST}, True),  # ended on the first day: it was there
    ({"status": "ended", "ended_on": FIRST - dt.timedelta(days=1)}, False),
    ({"start_date": LAST}, True),  # started on census day
    ({"start_date": LAST + dt.timedelta(days=1)}, False),
])
def test_which_placements_are_returned(changes, returned):
    assert rules.is_returned(facts(**changes), FIRST, LAST) is returned


def test_the_provider_is_identified_by_exactly_one_item_urn_first():
    assert rules.provider_items("123456", "10012345", "OOT") == ("123456", "", "")
    assert rules.provider_items(None, "10012345", "OOT") == ("", "10012345", "")
    assert rules.provider_items(None, None, "OOT") == ("", "", "OOT")
    assert rules.provider_items(None, None, None) == ("", "", "")


@pytest.mark.parametrize(("changes", "message"), [
    ({}, None),
    ({"provider_urn": "12345"}, "URN must be 6 digits"),
    ({"provider_urn": None, "provider_ukprn": "10012345"}, None),
    ({"provider_urn": None, "provider_ukprn": "20012345"}, "UKPRN must be 8 digits starting with 1"),
    ({"provider_urn": None, "provider_setting_type": "WBP"}, None),
    ({"provider_urn": None, "provider_setting_type": "XYZ"}, "not a census code"),
    ({"provider_urn": None}, "no URN, UKPRN or AP setting type"),
])
def test_provider_missing(changes, message):
    found = rules.provider_missing(facts(**changes))
    if message is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].item == "provider" and message in found[0].message


def test_primary_reason_the_schools_choice_then_a_direction_then_the_referral():
    assert rules.primary_reason("MHN", True, ("risk_of_permanent_exclusion",)) == "MHN"
    assert rules.primary_reason(None, True, ("risk_of_permanent_exclusion",)) == codes.OFF_SITE_DIRECTION_REASON
    assert rules.primary_reason(None, False, ("supplement_curriculum", "ehcp_requirements")) == "SEN"
    assert rules.primary_reason(None, False, ("supplement_curriculum", "other")) is None
    assert rules.primary_reason(None, False, ()) is None


@pytest.mark.parametrize(("changes", "missing"), [
    ({}, []),
    ({"referral_reasons": ("personalise_curriculum",)}, ["reason"]),
    ({"referral_reasons": (), "chosen_reason": "ZZZ"}, ["reason"]),
    ({"referral_reasons": (), "off_site_direction": True}, []),
    ({"sessions_per_week": 0}, ["sessions"]),
    ({"sessions_per_week": 11}, ["sessions"]),
    ({"sessions_per_week": 10}, []),
    ({"provider_urn": None, "referral_reasons": (), "sessions_per_week": 0}, ["provider", "reason", "sessions"]),
])
def test_missing_items_in_the_pages_order(changes, missing):
    assert [m.item for m in rules.missing_items(facts(**changes))] == missing


def test_the_leaving_date_is_returned_only_once_the_placement_has_left():
    assert rules.leaving_date(None, LAST) is None
    assert rules.leaving_date(LAST, LAST) == LAST
    assert rules.leaving_date(LAST + dt.timedelta(days=1), LAST) is None


def test_every_referral_mapping_names_a_census_reason_and_a_policy_reason():
    from app.policy.referral import REASON_LABELS as POLICY_REASONS

    assert set(codes.REASON_FROM_REFERRAL) <= set(POLICY_REASONS)
    assert set(codes.REASON_FROM_REFERRAL.values()) <= set(codes.REASON_LABELS)
    assert codes.OFF_SITE_DIRECTION_REASON in codes.REASON_LABELS
    assert len({c.code for c in codes.SETTING_TYPES}) == len(codes.SETTING_TYPES)
