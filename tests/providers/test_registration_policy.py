"""Policy 7.2 (s.463 Education Act 1996): every branch of the registration rule."""
from __future__ import annotations

import pytest

from app.policy import registration as rule
from app.policy.registration import PupilAtProvider, registration_assessment, would_breach


def full_time(**flags) -> PupilAtProvider:
    return PupilAtProvider(compulsory_school_age=True, weekly_hours=20, **flags)


def test_nobody_is_no_breach():
    result = registration_assessment([])
    assert (result.full_time_count, result.must_report, result.at_or_near_threshold) == (0, False, False)


@pytest.mark.parametrize("hours, counted", [(18, 0), (18.01, 1), (25, 1), (10, 0)])
def test_full_time_is_more_than_18_hours_a_week(hours, counted):
    result = registration_assessment([PupilAtProvider(compulsory_school_age=True, weekly_hours=hours)])
    assert result.full_time_count == counted


def test_pupils_not_of_compulsory_school_age_do_not_count():
    result = registration_assessment([PupilAtProvider(compulsory_school_age=False, weekly_hours=30, has_ehcp=True)]
                                     * 6)
    assert result.full_time_count == 0 and not result.must_report


def test_four_full_time_pupils_are_near_the_threshold_but_not_a_breach():
    result = registration_assessment([full_time()] * 4)
    assert result.full_time_count == 4
    assert result.at_or_near_threshold and not result.count_breach and not result.must_report
    assert "4 of 5" in result.summary


def test_three_full_time_pupils_are_not_near():
    result = registration_assessment([full_time()] * 3 + [PupilAtProvider(True, 12)] * 5)
    assert result.full_time_count == 3 and not result.at_or_near_threshold and not result.must_report


def test_five_full_time_pupils_must_be_reported():
    result = registration_assessment([full_time()] * 5)
    assert result.count_breach and result.must_report and not result.one_pupil_breach
    assert "must be registered" in result.summary


@pytest.mark.parametrize("flag", ["has_ehcp", "is_looked_after"])
def test_one_full_time_pupil_with_an_ehcp_or_looked_after_must_be_reported(flag):
    result = registration_assessment([full_time(**{flag: True})])
    assert result.one_pupil_breach and result.must_report and result.at_or_near_threshold
    assert result.one_pupil_count == 1 and "EHCP or looked after" in result.summary


@pytest.mark.parametrize("flag", ["has_ehcp", "is_looked_after"])
def test_a_part_time_pupil_with_an_ehcp_or_looked_after_is_not_a_breach(flag):
    result = registration_assessment([PupilAtProvider(True, 15, **{flag: True})])
    assert not result.must_report


def test_sen_support_alone_does_not_count_today():
    assert not registration_assessment([full_time(has_sen=True)]).must_report


def test_the_cwsa_2026_change_is_one_line(monkeypatch):
    monkeypatch.setattr(rule, "ONE_PUPIL_CATEGORIES", ("has_sen", "is_looked_after"))
    assert registration_assessment([full_time(has_sen=True)]).must_report


def test_thresholds_live_in_one_place(monkeypatch):
    monkeypatch.setattr(rule, "PUPIL_THRESHOLD", 3)
    assert registration_assessment([full_time()] * 3).count_breach
    monkeypatch.setattr(rule, "FULL_TIME_HOURS_OVER", 25.0)
    assert registration_assessment([full_time()] * 3).full_time_count == 0


def test_would_breach_when_the_proposed_pupil_makes_the_fifth():
    assert would_breach([full_time()] * 4, full_time())
    assert not would_breach([full_time()] * 3, full_time())


def test_would_breach_with_one_full_time_looked_after_pupil():
    assert would_breach([], full_time(is_looked_after=True))
    assert not would_breach([], PupilAtProvider(True, 18, is_looked_after=True))


def test_would_breach_continues_a_breach_even_for_a_part_time_pupil():
    # 7.2: the school does not use a provider that should be registered and is not.
    assert would_breach([full_time()] * 5, PupilAtProvider(True, 6))


def test_the_rule_applies_only_to_unregistered_providers():
    assert rule.rule_applies("unregistered")
    assert not rule.rule_applies("registered_independent_school")
    assert not rule.rule_applies("other_registered")
