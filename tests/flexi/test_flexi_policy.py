"""app.policy.flexi_schooling (policy section 10): every branch, on the reference 2025-26 calendar."""
from __future__ import annotations

import datetime as dt

import pytest

from app.policy.flexi_schooling import (
    PatternEntry,
    PatternRefused,
    agreement_problems,
    decision_problems,
    describe_pattern,
    home_sessions_on,
    home_slots,
    next_termly_review,
    notice_is_short,
    parse_pattern,
    pattern_problem,
    second_request_problem,
    termly_reviews,
    withdrawal_problems,
)
from app.school_calendar import SchoolCalendar, generate_school_year

D = dt.date
TRAINING_DAYS = (D(2025, 9, 4), D(2025, 11, 3), D(2026, 2, 23), D(2026, 6, 1))


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return SchoolCalendar(generate_school_year(2025) + generate_school_year(2026), TRAINING_DAYS)


# --- 10.4: one request a year ------------------------------------------------------------------------------------


def test_a_first_request_is_considered():
    assert second_request_problem(D(2025, 10, 1), []) is None


def test_a_second_request_in_the_same_academic_year_is_refused_naming_the_first():
    problem = second_request_problem(D(2026, 7, 20), [D(2026, 3, 2), D(2025, 9, 15)])
    assert "15 September 2025" in problem and "2025-26" in problem and "10.4" in problem


def test_a_request_in_the_next_academic_year_is_considered():
    # 31 July is still 2025-26; 1 August starts 2026-27.
    assert second_request_problem(D(2026, 7, 31), [D(2025, 9, 15)]) is not None
    assert second_request_problem(D(2026, 8, 1), [D(2025, 9, 15)]) is None


def test_only_the_headteacher_decides_once_with_reasons():
    assert decision_problems(True, False, True, "Good progress at home.") == {}
    assert set(decision_problems(False, False, True, "x")) == {"decided_by"}
    assert "appeal" in decision_problems(True, True, False, "x")["decision"]
    assert set(decision_problems(True, False, None, "x")) == {"decision"}
    assert set(decision_problems(True, False, False, "  ")) == {"reasons"}


# --- 10.5: whole blocks ---------------------------------------------------------------------------------------


def test_whole_morning_afternoon_and_day_blocks_are_accepted():
    entries = parse_pattern(["fri_pm", "mon_day", {"weekday": "wed", "block": "am"}, {"weekday": 1, "block": "pm"}])
    assert entries == [PatternEntry(4, "pm"), PatternEntry(0, "day"), PatternEntry(2, "am"), PatternEntry(1, "pm")]
    slots = home_slots(entries)
    assert slots == ["mon_am", "mon_pm", "tue_pm", "wed_am", "fri_pm"]
    assert describe_pattern(slots) == ["Monday: whole day", "Tuesday: afternoon", "Wednesday: morning",
                                       "Friday: afternoon"]


@pytest.mark.parametrize("entry", ["mon_10:00-12:00", "mon_hour", "sat_am", {"weekday": 5, "block": "am"},
                                   {"weekday": True, "block": "am"}, "monday", 3, {"weekday": "mon", "block": "2h"}])
def test_anything_but_a_whole_block_on_a_weekday_is_refused(entry):
    with pytest.raises(PatternRefused):
        parse_pattern([entry])


def test_the_pattern_is_part_time_at_home_and_part_time_at_school():
    assert pattern_problem([]) is not None
    every = home_slots(parse_pattern([f"{d}_day" for d in ("mon", "tue", "wed", "thu", "fri")]))
    assert "elective home education" in pattern_problem(every)
    assert pattern_problem(every[:-1]) is None


def test_home_sessions_of_a_day():
    slots = ["mon_am", "mon_pm", "fri_pm"]
    assert home_sessions_on(slots, D(2025, 9, 8)) == ["am", "pm"]  # a Monday
    assert home_sessions_on(slots, D(2025, 9, 12)) == ["pm"]  # a Friday
    assert home_sessions_on(slots, D(2025, 9, 10)) == []  # a Wednesday
    assert home_sessions_on(slots, D(2025, 9, 13)) == []  # a Saturday


def test_the_agreement_holds_what_10_5_lists():
    full = {"pupil_needs": "n", "rationale": "r", "home_education_provision": "h", "section_7_how_met": "s",
            "welfare_responsible_at_home": "Parent", "school_curriculum": "c", "school_assessments": "a"}
    assert agreement_problems(full, D(2025, 10, 1), True, D(2025, 9, 20)) == {}
    assert set(agreement_problems({**full, "section_7_how_met": " "}, D(2025, 10, 1), True, None)) == {
        "section_7_how_met"}
    assert set(agreement_problems(full, None, True, None)) == {"start_date"}
    assert set(agreement_problems(full, D(2025, 9, 1), True, D(2025, 9, 20))) == {"start_date"}
    assert set(agreement_problems(full, D(2025, 10, 1), False, None)) == {"request"}


# --- 10.6: withdrawal -------------------------------------------------------------------------------------------


def test_four_weeks_notice_is_exactly_28_days():
    assert notice_is_short(D(2026, 1, 5), D(2026, 2, 1))  # 27 days
    assert not notice_is_short(D(2026, 1, 5), D(2026, 2, 2))  # 28 days


def test_withdrawal_with_four_weeks_notice_needs_no_reason():
    assert withdrawal_problems("parent", D(2026, 1, 5), D(2026, 2, 2), None, D(2025, 9, 8), False) == {}


def test_withdrawal_with_less_than_four_weeks_notice_needs_a_reason():
    problems = withdrawal_problems("school", D(2026, 1, 5), D(2026, 1, 16), "", D(2025, 9, 8), False)
    assert set(problems) == {"reason"} and "11 days" in problems["reason"]
    assert withdrawal_problems("school", D(2026, 1, 5), D(2026, 1, 16), "Pupil's wellbeing", D(2025, 9, 8),
                               False) == {}


def test_withdrawal_needs_who_when_and_a_sensible_end():
    assert set(withdrawal_problems(None, None, None, None, D(2025, 9, 8), False)) == {
        "withdrawn_by", "notice_given_on", "end_date"}
    assert set(withdrawal_problems("parent", D(2025, 9, 1), D(2025, 9, 5), "r", D(2025, 9, 8), False)) == {
        "end_date"}
    assert set(withdrawal_problems("parent", D(2026, 1, 5), D(2026, 1, 2), "r", D(2025, 9, 8), False)) == {
        "end_date"}
    assert set(withdrawal_problems("parent", D(2026, 1, 5), D(2026, 3, 2), None, D(2025, 9, 8), True)) == {
        "withdrawn_by"}


# --- 10.6: termly reviews from the calendar --------------------------------------------------------------------


def test_a_review_is_due_by_the_last_school_day_of_each_term(calendar):
    reviews = termly_reviews(calendar, D(2025, 9, 8), None, D(2026, 8, 31))
    assert [(r.key, r.due_on) for r in reviews] == [
        ("2025-26:autumn", D(2025, 12, 19)), ("2025-26:spring", D(2026, 3, 27)),
        ("2025-26:summer", D(2026, 7, 23))]
    assert reviews[0].label == "Autumn term 2025-26"


def test_no_review_for_a_term_that_ends_before_the_start_or_begins_after_the_end(calendar):
    reviews = termly_reviews(calendar, D(2026, 1, 12), D(2026, 5, 1), D(2027, 8, 31))
    assert [r.key for r in reviews] == ["2025-26:spring", "2025-26:summer"]
    # Ended before the summer term began: no summer review.
    assert [r.key for r in termly_reviews(calendar, D(2026, 1, 12), D(2026, 3, 27), D(2027, 8, 31))] == [
        "2025-26:spring"]


def test_the_next_review_and_a_calendar_not_entered(calendar):
    assert next_termly_review(calendar, D(2025, 9, 8), None, D(2025, 12, 20)).key == "2025-26:spring"
    assert next_termly_review(calendar, D(2025, 9, 8), None, D(2027, 7, 23)) is None
    assert next_termly_review(SchoolCalendar([]), D(2025, 9, 8), None, D(2025, 12, 20)) is None


def test_a_term_with_no_school_day_has_no_review():
    from app.school_calendar import HalfTermDates

    # A one-week "term" entered as training days only (a school closed for building work, say).
    closed = HalfTermDates(2025, "autumn", 1, D(2025, 9, 1), D(2025, 9, 5))
    calendar = SchoolCalendar([closed], [D(2025, 9, d) for d in range(1, 6)])
    assert termly_reviews(calendar, D(2025, 9, 1), None, D(2025, 12, 31)) == []


def test_a_session_at_home_cannot_also_be_at_a_provider():
    from app.policy.flexi_schooling import provision_clash

    assert provision_clash(["mon_pm", "fri_am"], {"wed_am": "Willow Farm"}) is None
    assert provision_clash(["mon_pm", "fri_am"], {"fri_am": "Willow Farm"}).startswith(
        "Friday morning is a session at Willow Farm")
