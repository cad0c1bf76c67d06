"""Quality assurance rules (8.1, 8.3-8.6) on plain facts: what a visit's record must answer (8.4) and what any QA
activity records (8.5, 8.6); when the AP leader is asked to arrange a visit and the school day it is due by
(weekends, bank holidays, holidays, beyond the entered calendar); when a follow-up action is overdue (8.6)."""
import datetime as dt

import pytest

from app.policy.qa import (
    ARRANGE_VISIT_BEFORE,
    FINDINGS_MESSAGE,
    VISIT_RECORD_ITEMS,
    follow_up_overdue,
    qa_record_gaps,
    visit_task_dates,
)
from app.school_calendar import SchoolCalendar, generate_school_year

D = dt.date
CALENDAR = SchoolCalendar(generate_school_year(2025), (D(2025, 9, 4), D(2025, 11, 3)))
FULL_VISIT = {name: "answered" for name in VISIT_RECORD_ITEMS} | {"findings": "Good"}


def test_8_4_a_visit_record_answers_every_item_but_parents_which_are_if_possible():
    assert set(VISIT_RECORD_ITEMS) == {"staff_spoken_with", "pupils_spoken_with", "work_reviewed", "lessons_observed",
                                       "unstructured_time_observed"}
    assert qa_record_gaps("provider_visit", FULL_VISIT) == {}
    assert qa_record_gaps("provider_visit", {**FULL_VISIT, "parents_spoken_with": None}) == {}


@pytest.mark.parametrize("item", sorted(VISIT_RECORD_ITEMS))
def test_8_4_each_visit_item_left_empty_is_named(item):
    gaps = qa_record_gaps("provider_visit", {**FULL_VISIT, item: "   "})
    assert gaps == {item: VISIT_RECORD_ITEMS[item]} and "8.4" in gaps[item]


@pytest.mark.parametrize("kind", ["home_visit", "call", "online_meeting"])
def test_8_5_other_activities_record_their_findings_only(kind):
    assert qa_record_gaps(kind, {"findings": "Seen at home, happy with the placement"}) == {}
    assert qa_record_gaps(kind, {"findings": ""}) == {"findings": FINDINGS_MESSAGE}


def test_8_6_every_activity_records_findings():
    assert qa_record_gaps("provider_visit", {**FULL_VISIT, "findings": None}) == {"findings": FINDINGS_MESSAGE}


def test_8_1_a_visit_due_on_a_school_day_is_asked_for_two_weeks_before():
    dates = visit_task_dates(D(2025, 10, 2), CALENDAR)
    assert ARRANGE_VISIT_BEFORE == dt.timedelta(days=14)
    assert (dates.ask_from, dates.due_on) == (D(2025, 9, 18), D(2025, 10, 2))


@pytest.mark.parametrize("due_on, school_day", [
    (D(2025, 10, 11), D(2025, 10, 10)),  # a Saturday: the Friday before
    (D(2025, 10, 29), D(2025, 10, 24)),  # the October half-term holiday: the last school day before it
    (D(2025, 11, 3), D(2025, 10, 24)),  # a training day straight after the holiday
    (D(2026, 4, 6), D(2026, 3, 27)),  # Easter Monday, in the Easter holiday
    (D(2026, 5, 4), D(2026, 5, 1)),  # the early May bank holiday in term: the Friday before
])
def test_8_1_a_visit_due_on_a_day_without_school_is_due_by_the_last_school_day_before(due_on, school_day):
    dates = visit_task_dates(due_on, CALENDAR)
    assert dates.due_on == school_day and dates.ask_from == school_day - ARRANGE_VISIT_BEFORE


def test_8_1_beyond_the_entered_calendar_weekdays_stand_in():
    assert visit_task_dates(D(2026, 9, 12), CALENDAR).due_on == D(2026, 9, 11)  # a Saturday after July 2026
    assert visit_task_dates(D(2026, 9, 10), SchoolCalendar([])).due_on == D(2026, 9, 10)


@pytest.mark.parametrize("is_open, today, overdue", [
    (True, D(2026, 3, 10), False),  # due today: still on time
    (True, D(2026, 3, 11), True),  # the day after: overdue
    (True, D(2026, 3, 9), False),
    (False, D(2026, 3, 20), False),  # done or cancelled: never overdue
])
def test_8_6_an_open_action_is_overdue_once_its_day_has_passed(is_open, today, overdue):
    assert follow_up_overdue(D(2026, 3, 10), is_open, today) is overdue
