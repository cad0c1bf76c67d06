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


# --- counting in SQL (issue 18): the same percentage from counts as from the marks one by one -----------------


def test_counted_codes_agree_with_the_percentage_of_marks_code_by_code():
    import datetime as dt

    from app.policy.attendance import (
        REGISTER_CODES,
        SessionMark,
        attendance_percentage,
        counted_codes,
        percentage_from_counts,
    )

    possible, attended = counted_codes()
    assert attended <= possible and "D" not in possible and "B" in attended and "N" in possible - attended
    for code in REGISTER_CODES:
        marks = [SessionMark(dt.date(2026, 3, 2), "AM", code), SessionMark(dt.date(2026, 3, 2), "PM", "B")]
        by_counts = percentage_from_counts(1 + (code in attended), 1 + (code in possible))
        assert attendance_percentage(marks) == by_counts, code


def test_a_percentage_from_no_possible_session_is_none():
    from app.policy.attendance import percentage_from_counts

    assert percentage_from_counts(0, 0) is None
    assert percentage_from_counts(9, 10) == 90.0


def test_part_time_and_flexi_home_sessions_have_their_fixed_codes():
    from app.policy.attendance import SessionKind, fixed_codes, register_code

    fixed = fixed_codes()
    assert set(fixed) == set(SessionKind) - {SessionKind.PROVISION}
    for kind, code in fixed.items():
        assert register_code(None, "school", kind=kind) == code
