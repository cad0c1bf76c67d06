"""Quality assurance of placements (policy 8.1, 8.4-8.6) as plain rules: what the record of a visit to a provider
must hold, when the school is asked to arrange the next visit, and when a follow-up action is overdue.

When the next visit is due is app.policy.reviews.qa_visits_due (8.1, 8.3); these rules take its due date.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PROVIDER_VISIT = "provider_visit"

# 8.4: "During the on-site visits to a provider, school staff will ..." -- each item the record must answer, with
# the message shown when it is left empty. Speaking to parents or carers is "if possible", so it is not required.
VISIT_RECORD_ITEMS: dict[str, str] = {
    "staff_spoken_with": "Say which of the provider's staff you spoke with, including those who work most "
                         "closely with the pupil or pupils (8.4).",
    "pupils_spoken_with": "Say which pupil or pupils you spoke with (8.4).",
    "work_reviewed": "Say what pupil work you reviewed (8.4).",
    "lessons_observed": "Say what lessons or activities you observed (8.4).",
    "unstructured_time_observed": "Say what unstructured time (breaks, lunch, arrival) you observed (8.4).",
}
FINDINGS_MESSAGE = "Enter what the activity found (8.6: a record of each quality assurance activity)."

# 8.1, 8.3: the AP leader is asked to arrange a visit this long before it is due, so it can be booked in.
ARRANGE_VISIT_BEFORE = dt.timedelta(days=14)


def qa_record_gaps(kind: str, answers: dict[str, str | None]) -> dict[str, str]:
    """8.4, 8.6: the items a QA record leaves unanswered, by field. Every activity records its findings (8.6); a
    visit to a provider also records each thing 8.4 says staff will do there. Home visits, calls and online
    meetings with the pupil (8.5) record their findings only."""
    gaps = {}
    if kind == PROVIDER_VISIT:
        gaps.update({name: message for name, message in VISIT_RECORD_ITEMS.items()
                     if not (answers.get(name) or "").strip()})
    if not (answers.get("findings") or "").strip():
        gaps["findings"] = FINDINGS_MESSAGE
    return gaps


@dataclass(frozen=True)
class VisitTaskDates:
    ask_from: dt.date  # the first day the school is asked to arrange the visit
    due_on: dt.date  # the school day the visit is to be made by


def visit_task_dates(visit_due_on: dt.date, calendar) -> VisitTaskDates:
    """8.1, 8.3: a visit due on a weekend, a bank holiday or in the holidays is to be made by the last school day
    before it (staff visit in term time); the AP leader is asked ARRANGE_VISIT_BEFORE ahead of that day. Where the
    school's calendar does not reach the date, Monday to Friday stand in for school days."""
    due = visit_due_on
    if calendar is not None and calendar.covers(due):
        while not calendar.is_school_day(due) and calendar.covers(due - dt.timedelta(days=1)):
            due -= dt.timedelta(days=1)
    else:
        while due.weekday() >= 5:
            due -= dt.timedelta(days=1)
    return VisitTaskDates(ask_from=due - ARRANGE_VISIT_BEFORE, due_on=due)


def follow_up_overdue(due_on: dt.date, is_open: bool, today: dt.date) -> bool:
    """8.6: an open action is overdue once its due day has passed (an action due today is still on time)."""
    return is_open and today > due_on


def may_change_follow_up(may_record_qa: bool, is_owner: bool) -> bool:
    """8.6: a follow-up action is closed or cancelled by whoever keeps the QA record, or by its owner; seeing
    the QA record is not enough (issue 13 item 3)."""
    return may_record_qa or is_owner
