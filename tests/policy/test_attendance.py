"""Daily attendance at providers: expected sessions, register codes, cut-offs, welfare checks and percentages
(issue 6; policy 4.5, 7.8, 9.6; attendance-codes.md)."""
import datetime as dt

import pytest

from app import clock
from app.policy.attendance import (
    ABSENCE_REASON_CODES,
    ABSENCE_REASONS,
    AM,
    DUAL_REGISTRATION,
    LOCAL_AUTHORITY,
    PM,
    REGISTER_CODES,
    SCHOOL,
    CodeCategory,
    ExpectedSessionSlot,
    Outcome,
    SessionKind,
    SessionMark,
    SessionPattern,
    WelfareCheckReason,
    attendance_by_half_term,
    attendance_by_week,
    attendance_percentage,
    cutoff_at,
    expected_sessions,
    prompt_due,
    register_code,
    week_of,
    welfare_check_due,
)
from app.school_calendar import SchoolCalendar, generate_school_year
from tests.helpers import school_time

D, T = dt.date, dt.time
UTC = dt.UTC

TRAINING_DAY = D(2026, 1, 5)  # Mon: the first day of Spring 1 is an INSET day
CALENDAR = SchoolCalendar(generate_school_year(2025) + generate_school_year(2026), training_days=[TRAINING_DAY])

MON_AM = SessionPattern(0, AM, T(9, 0), T(12, 0))
MON_PM = SessionPattern(0, PM, T(13, 0), T(15, 0))
WED_AM = SessionPattern(2, AM, T(9, 30), T(12, 0))
FRI_PM = SessionPattern(4, PM, T(12, 30), T(15, 0))
PATTERN = [FRI_PM, MON_PM, WED_AM, MON_AM]  # stored in any order


def days(slots):
    return [(s.day, s.session) for s in slots]


# --- expected sessions ---------------------------------------------------------------------------------------


def test_a_full_week_gives_each_pattern_session_on_its_weekday_in_order():
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 3, 2), D(2026, 3, 8), placement_start=D(2025, 9, 4))
    assert slots == [
        ExpectedSessionSlot(D(2026, 3, 2), AM, T(9, 0), T(12, 0)),
        ExpectedSessionSlot(D(2026, 3, 2), PM, T(13, 0), T(15, 0)),
        ExpectedSessionSlot(D(2026, 3, 4), AM, T(9, 30), T(12, 0)),
        ExpectedSessionSlot(D(2026, 3, 6), PM, T(12, 30), T(15, 0)),
    ]


def test_a_bank_holiday_expects_nothing():
    # Mon 4 May 2026 (early May bank holiday) is inside Summer 1
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 5, 4), D(2026, 5, 8), placement_start=D(2026, 4, 13))
    assert days(slots) == [(D(2026, 5, 6), AM), (D(2026, 5, 8), PM)]


def test_a_training_day_expects_nothing():
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 1, 5), D(2026, 1, 12), placement_start=D(2025, 9, 4))
    assert days(slots) == [(D(2026, 1, 7), AM), (D(2026, 1, 9), PM), (D(2026, 1, 12), AM), (D(2026, 1, 12), PM)]


def test_a_placement_starting_mid_week_expects_nothing_before_its_start():
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 3, 2), D(2026, 3, 6), placement_start=D(2026, 3, 4))
    assert days(slots) == [(D(2026, 3, 4), AM), (D(2026, 3, 6), PM)]


def test_an_ended_placement_expects_nothing_after_its_end():
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 3, 2), D(2026, 3, 13), placement_start=D(2026, 3, 2),
                              placement_end=D(2026, 3, 4))
    assert days(slots) == [(D(2026, 3, 2), AM), (D(2026, 3, 2), PM), (D(2026, 3, 4), AM)]


def test_across_the_easter_holiday_and_the_bst_change_only_term_days_count():
    # Spring 2 ends Fri 27 Mar 2026; Summer 1 starts Mon 13 Apr
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 3, 25), D(2026, 4, 15), placement_start=D(2026, 1, 5))
    assert days(slots) == [(D(2026, 3, 25), AM), (D(2026, 3, 27), PM),
                           (D(2026, 4, 13), AM), (D(2026, 4, 13), PM), (D(2026, 4, 15), AM)]


def test_across_the_summer_holiday_into_the_next_school_year():
    # Summer 2 of 2025-26 ends Thu 23 Jul 2026; 2026-27 starts Thu 3 Sep 2026
    assert CALENDAR.half_terms[5].last_day == D(2026, 7, 23)
    assert CALENDAR.half_terms[6].first_day == D(2026, 9, 3)
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 7, 20), D(2026, 9, 7), placement_start=D(2026, 1, 5))
    assert days(slots) == [(D(2026, 7, 20), AM), (D(2026, 7, 20), PM), (D(2026, 7, 22), AM),
                           (D(2026, 9, 4), PM), (D(2026, 9, 7), AM), (D(2026, 9, 7), PM)]


def test_a_placement_starting_in_the_holidays_expects_its_first_sessions_on_the_first_school_day():
    slots = expected_sessions(PATTERN, CALENDAR, D(2026, 4, 1), D(2026, 4, 17), placement_start=D(2026, 4, 6))
    assert slots[0].day == D(2026, 4, 13)


def test_no_sessions_beyond_the_entered_calendar_and_none_for_an_empty_pattern():
    assert expected_sessions(PATTERN, CALENDAR, D(2027, 9, 1), D(2027, 9, 30), placement_start=D(2026, 1, 5)) == []
    assert expected_sessions([], CALENDAR, D(2026, 3, 2), D(2026, 3, 6), placement_start=D(2026, 3, 2)) == []


def test_a_range_ending_before_the_placement_starts_expects_nothing():
    assert expected_sessions(PATTERN, CALENDAR, D(2026, 3, 2), D(2026, 3, 6), placement_start=D(2026, 3, 9)) == []


@pytest.mark.parametrize(
    ("weekday", "session", "starts", "ends"),
    [(5, AM, T(9), T(12)), (-1, AM, T(9), T(12)), (0, "evening", T(9), T(12)), (0, AM, T(12), T(9))],
)
def test_a_pattern_entry_off_the_school_week_or_back_to_front_is_refused(weekday, session, starts, ends):
    with pytest.raises(ValueError):
        SessionPattern(weekday, session, starts, ends)


# --- register codes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("arranged_by", "code"), [(SCHOOL, "B"), (LOCAL_AUTHORITY, "K"), (DUAL_REGISTRATION, "D")])
def test_attended_is_coded_by_who_arranged_the_provision(arranged_by, code):
    assert register_code(Outcome.ATTENDED, arranged_by) == code
    assert register_code("attended", arranged_by) == code


@pytest.mark.parametrize(("arranged_by", "code"), [(SCHOOL, "B"), (LOCAL_AUTHORITY, "K")])
@pytest.mark.parametrize("minutes_late", [0, 5, 30])
def test_late_while_the_register_is_open_keeps_the_attending_code(arranged_by, code, minutes_late):
    assert register_code(Outcome.LATE, arranged_by, minutes_late=minutes_late) == code


@pytest.mark.parametrize("arranged_by", [SCHOOL, LOCAL_AUTHORITY])
def test_late_after_the_register_closed_is_u(arranged_by):
    assert register_code(Outcome.LATE, arranged_by, minutes_late=31) == "U"
    assert register_code(Outcome.LATE, arranged_by, minutes_late=90) == "U"


def test_the_register_limit_can_be_set_by_the_school():
    assert register_code(Outcome.LATE, SCHOOL, minutes_late=20, register_open_minutes=15) == "U"
    assert register_code(Outcome.LATE, SCHOOL, minutes_late=15, register_open_minutes=15) == "B"


def test_late_at_a_dual_registered_school_is_d_the_other_school_marks_lateness():
    assert register_code(Outcome.LATE, DUAL_REGISTRATION, minutes_late=45) == "D"


@pytest.mark.parametrize("minutes_late", [None, -1])
def test_late_without_the_minutes_is_refused(minutes_late):
    with pytest.raises(ValueError):
        register_code(Outcome.LATE, SCHOOL, minutes_late=minutes_late)


@pytest.mark.parametrize("reason", sorted(ABSENCE_REASON_CODES))
@pytest.mark.parametrize("arranged_by", [SCHOOL, LOCAL_AUTHORITY])
def test_absent_is_the_reasons_code_never_b_or_k(reason, arranged_by):
    assert register_code(Outcome.ABSENT, arranged_by, reason) == reason


@pytest.mark.parametrize("arranged_by", [SCHOOL, LOCAL_AUTHORITY])
def test_absent_with_no_reason_yet_is_n(arranged_by):
    assert register_code(Outcome.ABSENT, arranged_by) == "N"
    assert register_code(Outcome.ABSENT, arranged_by, "") == "N"


def test_absent_from_a_dual_registered_school_is_d_the_other_school_records_the_reason():
    assert register_code(Outcome.ABSENT, DUAL_REGISTRATION, "I") == "D"


@pytest.mark.parametrize("reason", ["B", "K", "D", "/", "L", "U", "C2", "X", "#", "illness"])
def test_a_code_that_is_not_an_absence_reason_is_refused(reason):
    with pytest.raises(ValueError):
        register_code(Outcome.ABSENT, SCHOOL, reason)


def test_an_unknown_outcome_or_arrangement_is_refused():
    with pytest.raises(ValueError):
        register_code("present", SCHOOL)
    with pytest.raises(ValueError):
        register_code(Outcome.ATTENDED, "parent")


@pytest.mark.parametrize("outcome", [None, Outcome.ATTENDED, Outcome.ABSENT])
@pytest.mark.parametrize("arranged_by", [SCHOOL, LOCAL_AUTHORITY, DUAL_REGISTRATION])
def test_part_time_timetable_and_flexi_schooling_sessions_have_their_own_codes(outcome, arranged_by):
    assert register_code(outcome, arranged_by, kind=SessionKind.PART_TIME_TIMETABLE) == "C2"
    assert register_code(outcome, arranged_by, kind=SessionKind.FLEXI_SCHOOLING_HOME) == "C"


def test_absence_reasons_are_data_with_code_label_and_category():
    codes = [r.code for r in ABSENCE_REASONS]
    assert codes[0] == "N"  # the default comes first in the form
    assert {"I", "M", "N", "O", "G", "C"} <= set(codes)
    assert not {"B", "K", "D", "U", "C2", "/", "\\", "L", "X", "Z", "#"} & set(codes)
    assert all(r.label and r.category in (CodeCategory.AUTHORISED_ABSENCE, CodeCategory.UNAUTHORISED_ABSENCE,
                                          CodeCategory.UNABLE_TO_ATTEND) for r in ABSENCE_REASONS)
    assert REGISTER_CODES["I"].category is CodeCategory.AUTHORISED_ABSENCE
    assert REGISTER_CODES["N"].category is CodeCategory.UNAUTHORISED_ABSENCE


def test_every_code_in_the_reference_table_is_known():
    assert set(REGISTER_CODES) == {
        "/", "\\", "L", "K", "V", "P", "W", "B", "D", "C1", "M", "J1", "S", "X", "C2", "C", "T", "R", "I", "E",
        "G", "N", "O", "U", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#"}


# --- cut-offs across BST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "minutes", "utc"),
    [
        (D(2026, 3, 27), T(9, 0), 30, dt.datetime(2026, 3, 27, 9, 30, tzinfo=UTC)),  # last Friday in GMT
        (D(2026, 3, 29), T(9, 0), 30, dt.datetime(2026, 3, 29, 8, 30, tzinfo=UTC)),  # the day clocks go forward
        (D(2026, 4, 13), T(9, 0), 30, dt.datetime(2026, 4, 13, 8, 30, tzinfo=UTC)),  # first school day in BST
        (D(2026, 10, 23), T(13, 15), 45, dt.datetime(2026, 10, 23, 13, 0, tzinfo=UTC)),  # last Friday in BST
        (D(2026, 10, 25), T(9, 0), 30, dt.datetime(2026, 10, 25, 9, 30, tzinfo=UTC)),  # the day clocks go back
        (D(2026, 11, 2), T(9, 0), 0, dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),  # back in GMT, no grace
    ],
)
def test_the_cutoff_is_school_local_wall_clock_as_a_utc_instant(day, start, minutes, utc):
    cutoff = cutoff_at(start, day, minutes)
    assert cutoff == utc
    assert cutoff.utcoffset() == dt.timedelta(0)
    assert clock.to_local(cutoff).date() == day


def test_a_negative_cutoff_is_refused():
    with pytest.raises(ValueError):
        cutoff_at(T(9), D(2026, 4, 13), -5)


# --- prompts and welfare checks on frozen time -----------------------------------------------------------------

CUTOFF_BST = cutoff_at(T(9, 0), D(2026, 4, 13), 30)  # 09:30 BST


@pytest.mark.parametrize(
    ("local", "confirmed", "due"),
    [
        ("2026-04-13 09:29", False, False),  # before the cut-off
        ("2026-04-13 09:30", False, True),  # at it
        ("2026-04-13 11:00", False, True),  # after it
        ("2026-04-13 11:00", True, False),  # confirmed: nothing to prompt
        ("2026-04-13 08:30", False, False),  # 09:30 UTC would be wrong by an hour in BST
    ],
)
def test_the_prompt_is_due_only_for_an_unconfirmed_session_from_the_cutoff(local, confirmed, due):
    with school_time(local):
        assert prompt_due(confirmed, clock.now(), CUTOFF_BST) is due


def test_the_prompt_is_due_at_the_gmt_cutoff_before_the_clocks_change():
    cutoff = cutoff_at(T(9, 0), D(2026, 3, 27), 30)
    with school_time("2026-03-27 09:29"):
        assert not prompt_due(False, clock.now(), cutoff)
    with school_time("2026-03-27 09:30"):
        assert prompt_due(False, clock.now(), cutoff)


@pytest.mark.parametrize(
    ("local", "reason"),
    [
        ("2026-04-13 09:30", None),  # at the cut-off: the attendance officer's prompt, not yet the DSL
        ("2026-04-13 10:29", None),
        ("2026-04-13 10:30", WelfareCheckReason.UNCONFIRMED),  # an hour after the cut-off
        ("2026-04-13 15:00", WelfareCheckReason.UNCONFIRMED),
    ],
)
def test_an_unconfirmed_session_needs_a_welfare_check_an_hour_after_the_cutoff(local, reason):
    with school_time(local):
        assert welfare_check_due(False, None, None, clock.now(), CUTOFF_BST) is reason


def test_the_escalation_delay_can_be_set():
    with school_time("2026-04-13 09:45"):
        assert welfare_check_due(False, None, None, clock.now(), CUTOFF_BST,
                                 escalate_after=dt.timedelta(minutes=15)) is WelfareCheckReason.UNCONFIRMED
        assert welfare_check_due(False, None, None, clock.now(), CUTOFF_BST) is None


@pytest.mark.parametrize("reason", [None, "", "N"])
def test_an_absence_with_no_reason_needs_a_welfare_check_at_once(reason):
    with school_time("2026-04-13 09:05"):  # before the cut-off, as soon as it is confirmed
        found = welfare_check_due(True, Outcome.ABSENT, reason, clock.now(), CUTOFF_BST)
    assert found is WelfareCheckReason.ABSENT_WITHOUT_REASON
    assert found.label == "Absent with no reason given"


@pytest.mark.parametrize(
    ("outcome", "reason"), [(Outcome.ABSENT, "I"), (Outcome.ABSENT, "O"), (Outcome.ATTENDED, None),
                            (Outcome.LATE, None)],
)
def test_a_confirmed_session_with_a_reason_or_attendance_needs_no_welfare_check(outcome, reason):
    with school_time("2026-04-13 15:00"):
        assert welfare_check_due(True, outcome, reason, clock.now(), CUTOFF_BST) is None


def test_the_welfare_reasons_read_as_true_and_have_labels():
    assert all(reason and reason.label for reason in WelfareCheckReason)


# --- attendance percentages -------------------------------------------------------------------------------------


def marks(day, *codes):
    return [SessionMark(day, AM if i % 2 == 0 else PM, code) for i, code in enumerate(codes)]


def test_no_sessions_gives_no_percentage():
    assert attendance_percentage([]) is None


def test_only_dual_registered_or_unconfirmed_sessions_give_no_percentage():
    assert attendance_percentage(marks(D(2026, 3, 2), "D", "D", None)) is None


@pytest.mark.parametrize(
    ("codes", "percentage"),
    [
        (["B", "B", "B", "B"], 100.0),
        (["B", "K", "N", "I"], 50.0),
        (["B", "U", "O", "M"], 25.0),  # U is an unauthorised absence, not attendance
        (["B", "D", "D", "N"], 50.0),  # D is not a possible session
        (["B", "Y1", "X", "#"], 100.0),  # unable to attend and administrative codes are not possible sessions
        (["B", "C2", "C", "/"], 50.0),  # part-time timetable and flexi-schooling sessions are absences
        (["L", "\\", "V", "W", "P", "B", "K", "G"], 87.5),
        (["B", None, "N"], 50.0),  # an unconfirmed session is left out
    ],
)
def test_attendance_is_attended_sessions_over_possible_sessions(codes, percentage):
    assert attendance_percentage(marks(D(2026, 3, 2), *codes)) == percentage


def test_an_unknown_code_is_refused():
    with pytest.raises(ValueError):
        attendance_percentage(marks(D(2026, 3, 2), "Q1"))


def test_attendance_by_week_keys_each_week_by_its_monday():
    records = (marks(D(2026, 3, 25), "B", "N")  # Wed, week of Mon 23 Mar
               + marks(D(2026, 3, 27), "B", "B")  # Fri, same week
               + marks(D(2026, 4, 13), "D", "D")  # after Easter: only D
               + marks(D(2026, 4, 15), "I"))
    assert week_of(D(2026, 3, 29)) == D(2026, 3, 23)  # Sunday belongs to the week before it
    assert attendance_by_week(records) == {D(2026, 3, 23): 75.0, D(2026, 4, 13): 0.0}
    assert attendance_by_week(marks(D(2026, 4, 13), "D")) == {D(2026, 4, 13): None}
    assert attendance_by_week([]) == {}


def test_attendance_by_half_term_splits_at_the_term_boundary():
    spring_2, summer_1 = CALENDAR.half_terms[3], CALENDAR.half_terms[4]
    records = (marks(D(2026, 3, 27), "B", "O")  # last day of Spring 2
               + marks(D(2026, 4, 13), "K", "K", "K", "N")  # first day of Summer 1
               + marks(D(2026, 4, 1), "B"))  # in the Easter holiday: no half-term, left out
    result = attendance_by_half_term(records, CALENDAR)
    assert list(result) == [spring_2, summer_1]
    assert result == {spring_2: 50.0, summer_1: 75.0}
