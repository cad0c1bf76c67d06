"""Policy 4.5 (monitoring attendance): which attendance the school and trust views list as low."""
from __future__ import annotations

import pytest

from app.policy.attendance import PERSISTENT_ABSENCE_THRESHOLD, persistently_absent


def test_the_threshold_is_dfes_persistent_absence_line_of_90_percent():
    assert PERSISTENT_ABSENCE_THRESHOLD == 90.0


@pytest.mark.parametrize("percentage, listed", [(89.9, True), (0.0, True), (90.0, False), (100.0, False)])
def test_4_5_below_the_threshold_is_listed_and_exactly_at_it_is_not(percentage, listed):
    assert persistently_absent(percentage) is listed


def test_4_5_no_possible_session_yet_is_not_low_attendance():
    assert persistently_absent(None) is False


def test_4_5_a_school_may_look_at_another_threshold():
    assert persistently_absent(92.0, threshold=95.0) and not persistently_absent(96.0, threshold=95.0)
