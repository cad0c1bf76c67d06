"""Policy 7.8-7.9: every branch of vetting expiry, on frozen dates."""
from __future__ import annotations

import datetime as dt

import pytest

from app.policy.provider_vetting import VETTING_PERIOD, Months, VettingStatus, vetted_until, vetting_status

UTC = dt.UTC
APPROVED = dt.datetime(2025, 3, 10, 10, 0, tzinfo=UTC)


def status(today, approved=APPROVED, change=None, suspended=None, **kw):
    return vetting_status(approved, change, suspended, today, **kw)


def test_vetted_for_twelve_months_from_approval():
    assert VETTING_PERIOD == Months(12)
    assert vetted_until(APPROVED) == dt.date(2026, 3, 9)


def test_approval_late_in_the_evening_counts_on_englands_date():
    # 23:30 UTC on 31 May is already 1 June in England (BST).
    assert vetted_until(dt.datetime(2025, 5, 31, 23, 30, tzinfo=UTC)) == dt.date(2026, 5, 31)


def test_a_leap_day_approval_never_runs_longer_than_twelve_months():
    assert vetted_until(dt.date(2024, 2, 29)) == dt.date(2025, 2, 27)
    assert Months(1).after(dt.date(2025, 1, 31)) == dt.date(2025, 2, 28)


def test_not_vetted_without_an_approval():
    assert status(dt.date(2025, 1, 1), approved=None) is VettingStatus.NOT_VETTED


def test_vetted_inside_the_period_before_the_window():
    assert status(dt.date(2025, 3, 10)) is VettingStatus.VETTED
    assert status(dt.date(2026, 2, 7)) is VettingStatus.VETTED  # 30 days left


def test_expiring_inside_the_reminder_window():
    assert status(dt.date(2026, 2, 8)) is VettingStatus.EXPIRING  # 29 days left
    assert status(dt.date(2026, 3, 9)) is VettingStatus.EXPIRING  # the last day


def test_the_reminder_window_is_configurable():
    assert status(dt.date(2026, 1, 20), reminder_window=dt.timedelta(days=60)) is VettingStatus.EXPIRING
    assert status(dt.date(2026, 1, 20)) is VettingStatus.VETTED


def test_expired_the_day_after_vetted_until():
    assert status(dt.date(2026, 3, 10)) is VettingStatus.EXPIRED
    assert not VettingStatus.EXPIRED.allows_new_placements


def test_a_material_change_after_approval_lapses_the_vetting():
    change = APPROVED + dt.timedelta(days=40)
    assert status(dt.date(2025, 6, 1), change=change) is VettingStatus.LAPSED_MATERIAL_CHANGE
    assert not VettingStatus.LAPSED_MATERIAL_CHANGE.allows_new_placements


def test_a_new_approval_after_the_material_change_vets_again():
    change = APPROVED - dt.timedelta(days=1)
    assert status(dt.date(2025, 6, 1), change=change) is VettingStatus.VETTED


def test_suspension_outranks_everything():
    suspended = APPROVED + dt.timedelta(days=5)
    assert status(dt.date(2025, 6, 1), suspended=suspended) is VettingStatus.SUSPENDED
    assert status(dt.date(2025, 6, 1), approved=None, suspended=suspended) is VettingStatus.SUSPENDED


@pytest.mark.parametrize("value, allows", [(VettingStatus.VETTED, True), (VettingStatus.EXPIRING, True),
                                           (VettingStatus.NOT_VETTED, False), (VettingStatus.SUSPENDED, False)])
def test_which_statuses_take_new_placements(value, allows):
    assert value.allows_new_placements is allows and value.label
