"""Part-time timetables: each rule of app.policy.part_time_timetables (policy 9.3-9.7, issue 15)."""
import datetime as dt

import pytest

from app.policy import part_time_timetables as p
from app.policy.part_time_timetables import AM, PM, Arrangement, NoticeEvent, TimetableEntry
from app.school_calendar import HalfTermDates, SchoolCalendar

D, T = dt.date, dt.time
# Spring 2 2026 (23 Feb - 27 Mar), the Easter holiday, Summer 1 (13 Apr - 22 May, 4 May a bank holiday).
CALENDAR = SchoolCalendar([HalfTermDates(2025, "spring", 2, D(2026, 2, 23), D(2026, 3, 27)),
                           HalfTermDates(2025, "summer", 1, D(2026, 4, 13), D(2026, 5, 22)),
                           HalfTermDates(2025, "summer", 2, D(2026, 6, 1), D(2026, 7, 17))],
                          training_days=[D(2026, 6, 1)])


def entry(weekday, session, arrangement, placement_id=None):
    start, end = (T(9, 0), T(12, 0)) if session == AM else (T(13, 0), T(15, 0))
    return TimetableEntry(weekday, session, arrangement, start, end, placement_id)


ON, OFF, AWAY = Arrangement.ON_SITE, Arrangement.NOT_IN_EDUCATION, Arrangement.AT_PROVIDER
# Mornings on site Monday to Thursday, Friday morning at a provider; every afternoon removed.
WEEK = [entry(d, AM, ON) for d in range(4)] + [entry(4, AM, AWAY, 7)] + [entry(d, PM, OFF) for d in range(5)]


def proposal(**changes):
    values = dict(reason_category="medical_needs", reason_details="Recovering from surgery",
                  support_plan="Medical support plan", start_date=D(2026, 3, 2), end_date=D(2026, 3, 27),
                  entries=WEEK, review_dates=())
    values.update(changes)
    return p.Proposal(**values)


# --- reasons (9.3, 9.4) ----------------------------------------------------------------------------------------


def test_the_accepted_categories_are_listed_in_one_function_and_exclude_behaviour():
    accepted = p.accepted_reason_categories()
    assert {"medical_needs", "reintegration", "ehcp_transition"} <= set(accepted)
    assert p.BEHAVIOUR_MANAGEMENT not in accepted


def test_behaviour_management_is_refused_quoting_9_4():
    errors = p.proposal_errors(proposal(reason_category="behaviour_management"), [7])
    assert errors == {"reason_category": p.SECTION_9_4}
    assert "does not use a part-time timetable in order to manage a pupil's behaviour" in errors["reason_category"]
    assert "9.4" in errors["reason_category"]


def test_an_unknown_or_missing_category_asks_for_a_reason():
    assert p.reason_problem(None) == "Choose the reason for the part-time timetable."
    assert p.reason_problem("holiday") == "Choose the reason for the part-time timetable."
    assert p.reason_problem("medical_needs") is None


def test_a_complete_proposal_has_no_errors():
    assert p.proposal_errors(proposal(), [7]) == {}


def test_no_end_date_is_refused():
    errors = p.proposal_errors(proposal(end_date=None), [7])
    assert set(errors) == {"end_date"} and "temporary" in errors["end_date"]


def test_an_end_before_the_start_is_refused():
    assert set(p.proposal_errors(proposal(end_date=D(2026, 3, 1)), [7])) == {"end_date"}


def test_details_support_plan_and_start_are_required():
    errors = p.proposal_errors(proposal(reason_details=" ", support_plan="", start_date=None), [7])
    assert set(errors) == {"reason_details", "support_plan", "start_date"}


def test_review_dates_must_fall_inside_the_timetable():
    assert set(p.proposal_errors(proposal(review_dates=[D(2026, 4, 20)]), [7])) == {"review_dates"}


def test_a_timetable_that_removes_nothing_is_not_part_time():
    errors = p.proposal_errors(proposal(entries=[entry(0, AM, ON)]), [7])
    assert set(errors) == {"sessions"}


def test_a_session_twice_is_refused():
    assert set(p.proposal_errors(proposal(entries=[entry(0, PM, OFF), entry(0, PM, ON)]), [7])) == {"sessions"}


def test_a_provider_session_must_be_one_of_the_pupils_placements():
    assert set(p.proposal_errors(proposal(), [8])) == {"sessions"}


def test_a_session_the_pupil_has_at_a_provider_is_not_removed():
    assert p.proposal_errors(proposal(), [7], provider_slots=[(4, AM)]) == {}  # Friday AM marked at the provider
    errors = p.proposal_errors(proposal(), [7], provider_slots=[(0, PM)])  # Monday PM marked not in education
    assert set(errors) == {"sessions"} and "stays as it is" in errors["sessions"]


# --- agreement, involvement, approval (9.5, 9.6) -----------------------------------------------------------


def facts(**changes):
    values = dict(parent_agreed=True, has_end_date=True, has_ehcp=False, has_social_worker=False,
                  is_looked_after=False, la_send_discussed=False, social_worker_informed=False,
                  virtual_school_head_discussed=False)
    values.update(changes)
    return p.ApprovalFacts(**values)


def test_nothing_missing_for_an_agreed_timetable_of_a_pupil_with_no_other_involvement():
    assert p.approval_missing(facts()) == []


def test_the_parents_agreement_is_missing_until_recorded():
    assert p.approval_missing(facts(parent_agreed=False)) == [
        "the agreement of the parent or carer the pupil normally lives with (9.6)"]


def test_an_end_date_is_required_before_approval():
    assert p.approval_missing(facts(has_end_date=False)) == ["a planned end date (9.6)"]


@pytest.mark.parametrize("flag, discussed, words", [
    ("has_ehcp", "la_send_discussed", "SEND team"),
    ("has_social_worker", "social_worker_informed", "social worker"),
    ("is_looked_after", "virtual_school_head_discussed", "Virtual School Headteacher"),
])
def test_each_involvement_condition(flag, discussed, words):
    missing = p.approval_missing(facts(**{flag: True}))
    assert len(missing) == 1 and words in missing[0]
    assert p.approval_missing(facts(**{flag: True, discussed: True})) == []
    # A discussion recorded for a pupil who does not need it is not asked for either way.
    assert p.approval_missing(facts(**{discussed: True})) == []


def test_every_involvement_missing_at_once_is_listed_in_the_policy_order():
    missing = p.involvement_missing(facts(has_ehcp=True, has_social_worker=True, is_looked_after=True))
    assert [m.split(" (")[0] for m in missing] == [
        "the discussion with the local authority's SEND team", "the pupil's social worker informed and involved",
        "the discussion with the Virtual School Headteacher"]


def test_only_the_headteacher_approves():
    assert p.may_approve(["headteacher"])
    assert p.may_approve(["dsl", "headteacher"])
    assert not p.may_approve(["ap_leader", "dsl", "staff"])
    assert not p.may_approve([])


def test_not_active_without_the_headteachers_approval_or_the_parents_agreement():
    assert p.is_active("active", approved=True, parent_agreed=True)
    assert not p.is_active("active", approved=False, parent_agreed=True)
    assert not p.is_active("active", approved=True, parent_agreed=False)
    assert not p.is_active("proposed", approved=True, parent_agreed=True)


# --- reviews, extension, six weeks --------------------------------------------------------------------------


def test_reviews_default_to_every_two_school_weeks_across_the_holiday():
    # From Mon 16 Mar: Spring 2 has nine more school days, so the Easter holiday is skipped and the tenth
    # school day is the first of Summer 1.
    dates = p.default_review_dates(D(2026, 3, 16), D(2026, 5, 22), CALENDAR)
    assert dates == [D(2026, 4, 13), D(2026, 4, 27), D(2026, 5, 12)]  # 4 May, a bank holiday, is not counted


def test_review_dates_stop_where_the_calendar_does():
    short = SchoolCalendar([HalfTermDates(2025, "spring", 2, D(2026, 2, 23), D(2026, 3, 27))])
    assert p.default_review_dates(D(2026, 3, 2), D(2026, 7, 1), short) == [D(2026, 3, 16)]


def test_an_extension_only_at_a_review():
    assert p.extension_errors(False, D(2026, 5, 1), D(2026, 3, 27), "Still recovering") == {
        "decision": "A part-time timetable can only be extended at a review (9.6)."}


def test_an_extension_at_a_review_needs_reasons_and_a_later_date():
    assert p.extension_errors(True, D(2026, 5, 1), D(2026, 3, 27), "Still recovering") == {}
    assert set(p.extension_errors(True, D(2026, 5, 1), D(2026, 3, 27), " ")) == {"extension_reasons"}
    assert set(p.extension_errors(True, D(2026, 3, 27), D(2026, 3, 27), "x")) == {"extended_to"}
    assert set(p.extension_errors(True, None, D(2026, 3, 27), "x")) == {"extended_to"}


def test_a_review_records_both_views_and_a_decision():
    assert p.review_errors("extend", "Tired by afternoons", "Happy") == {}
    assert set(p.review_errors("stop", "", None)) == {"decision", "pupil_views", "parent_views"}


def test_the_six_week_flag_falls_due_on_the_day_six_weeks_after_the_start_and_once():
    start = D(2026, 3, 2)
    assert not p.six_week_flag_due(start, D(2026, 4, 12), flagged=False)
    assert p.six_week_flag_due(start, D(2026, 4, 13), flagged=False)
    assert not p.six_week_flag_due(start, D(2026, 4, 20), flagged=True)


def test_planned_duration_past_six_weeks():
    assert not p.planned_past_six_weeks(D(2026, 3, 2), D(2026, 4, 12))  # exactly 42 days
    assert p.planned_past_six_weeks(D(2026, 3, 2), D(2026, 4, 13))
    assert p.total_duration(D(2026, 3, 2), D(2026, 3, 2)) == dt.timedelta(days=1)


# --- the week, the register, welfare ---------------------------------------------------------------------------


def test_hours_in_education_against_full_time_for_the_key_stage():
    week = p.week_of(WEEK, year_group=9)  # five mornings of 3 hours: 15 of KS3's 24
    assert (week.hours_in_education, week.full_time_hours) == (15.0, 24.0)
    assert week.percentage == pytest.approx(62.5)
    assert p.week_of(WEEK, year_group=12).percentage is None  # no benchmark in the sixth form


def test_the_removed_sessions_are_the_not_in_education_ones_of_that_weekday():
    assert p.removed_sessions(WEEK, D(2026, 3, 2)) == [entry(0, PM, OFF)]
    both = [entry(1, PM, OFF), entry(1, AM, OFF)]
    assert [e.session for e in p.removed_sessions(both, D(2026, 3, 3))] == [AM, PM]


def test_in_force_from_start_to_end_or_until_the_return_to_full_time():
    assert p.in_force_on(D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 27))
    assert not p.in_force_on(D(2026, 3, 30), D(2026, 3, 2), D(2026, 3, 27))
    assert not p.in_force_on(D(2026, 3, 16), D(2026, 3, 2), D(2026, 3, 27), ended_on=D(2026, 3, 16))
    assert p.in_force_on(D(2026, 3, 13), D(2026, 3, 2), D(2026, 3, 27), ended_on=D(2026, 3, 16))


def test_a_welfare_check_only_on_school_days_with_no_on_site_session():
    assert not p.welfare_check_needed(WEEK, D(2026, 3, 2), CALENDAR)  # Monday: on site in the morning
    assert p.welfare_check_needed(WEEK, D(2026, 3, 6), CALENDAR)  # Friday: provider AM, nothing PM
    assert not p.welfare_check_needed(WEEK, D(2026, 3, 7), CALENDAR)  # Saturday
    assert not p.welfare_check_needed(WEEK, D(2026, 4, 3), CALENDAR)  # Good Friday, in the Easter holiday
    assert not p.welfare_check_needed(WEEK, D(2026, 5, 8), SchoolCalendar([]))  # no calendar: not a school day
    assert p.welfare_check_needed(WEEK, D(2026, 6, 5), CALENDAR)  # a Friday in Summer 2


# --- LA reporting (9.7) --------------------------------------------------------------------------------------


def test_notices_follow_the_las_procedure():
    assert p.la_notice_due(NoticeEvent.START, ["start", "end"])
    assert not p.la_notice_due(NoticeEvent.CHANGE, ["start", "end"])
    assert not p.la_notice_due(NoticeEvent.END, [])


def test_a_scheduled_return_on_the_first_school_day_of_the_period():
    assert p.return_due("termly", D(2026, 4, 13), CALENDAR)  # first day of the summer term
    assert not p.return_due("termly", D(2026, 2, 23), CALENDAR)  # spring 2: a half-term, not a term
    assert p.return_due("half_termly", D(2026, 2, 23), CALENDAR)
    assert not p.return_due("half_termly", D(2026, 2, 24), CALENDAR)
    assert not p.return_due("half_termly", D(2026, 6, 1), CALENDAR)  # a training day
    assert p.return_due("half_termly", D(2026, 6, 2), CALENDAR)
    assert p.return_due("monthly", D(2026, 3, 2), CALENDAR)  # Mon 2 March, the month's first school day
    assert not p.return_due("monthly", D(2026, 3, 3), CALENDAR)
    assert not p.return_due("none", D(2026, 4, 13), CALENDAR)

