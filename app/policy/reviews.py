"""Monitoring placements (policy section 8): when formal reviews and quality-assurance visits fall due, who hears
when one is missed, and who is told what a review found. The half-term sweep, the tasks service and the review
and QA pages (issue 7) call these; they take plain dates and facts and answer with small dataclasses.

Decisions, in one place so the sweep, the pages and the tests agree:

- Formal reviews are at least half-termly (8.3). A review is **due on** the 5th school day before the half-term's
  last school day, and "on" means by the end of that day: the headteacher (told the school day after) then has the
  half-term's final school week to see it held before the trust safeguarding lead is told, on the half-term's last
  school day. app.services.tasks takes the HALF_TERMLY_REVIEW task's reminder and escalation days from
  `review_reminder_and_escalation` (its KindRules.policy_dates), so the task follows these dates.
- A review task is **created** on the half-term's first school day, or on the placement's first school day when it
  starts mid-half-term (a start on a weekend, bank holiday or training day moves to the next school day).
- A placement that starts after that due date (in the half-term's last school week) is still reviewed that half-term,
  by the half-term's last school day. A placement that ends before the due date is reviewed by its own last school
  day, so the pupil and parents meet the school before it ends (8.2: steps to reintegration).
- A more frequent review set in the placement agreement (`review_every_weeks`, 8.3) counts **school weeks of 5
  school days** from the task's creation day: holidays, bank holidays and training days do not count, so a holiday
  never makes a review fall due. The schedule restarts each half-term and its last review is never later than the
  half-termly due date, so "at least half-termly" holds whatever the agreement says.
- Dedupe keys name the placement, the half-term by its place in the school year (not its row id or dates, so
  correcting a half-term's dates never makes a second task) and the review's sequence within the half-term.
- QA visits (8.1, 8.3) are counted in calendar weeks from the later of the last visit and the placement's start.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app.roles import SchoolRoleName, TrustRoleName
from app.school_calendar import CalendarNotEntered, HalfTermDates, SchoolCalendar

# Due this many school days before the half-term's last school day (the headteacher's week to act).
DUE_SCHOOL_DAYS_BEFORE_HALF_TERM_END = 5
# The reminder to the AP leader: this many school days before the due date.
REMIND_SCHOOL_DAYS_BEFORE_DUE = 5
# If the trust would otherwise be told no later than the headteacher (a review due on the half-term's last school
# day), the headteacher gets this many school days first.
HEADTEACHER_SCHOOL_DAYS_BEFORE_TRUST = 5
SCHOOL_DAYS_IN_A_WEEK = 5
# 8.1 asks for "regular" QA visits; when commissioning set no frequency, visit about once a half-term.
DEFAULT_QA_VISIT_EVERY_WEEKS = 6

ONE_DAY = dt.timedelta(days=1)


# --- half-termly reviews (8.2, 8.3) --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewObligation:
    """One formal review a placement owes in one half-term: the task to create on `created_on`, due by the end
    of `due_on`."""

    placement_id: int
    half_term: HalfTermDates
    sequence: int  # 1 for the half-termly review; 1, 2, ... when the agreement sets a more frequent one
    created_on: dt.date
    due_on: dt.date

    @property
    def dedupe_key(self) -> str:
        h = self.half_term
        return f"review:{self.placement_id}:{h.academic_year}-{h.term}-{h.part}:{self.sequence}"


def half_termly_review_due_on(half_term: HalfTermDates, calendar: SchoolCalendar) -> dt.date | None:
    """8.3: the date every placement's formal review this half-term is due by (5 school days before its last
    school day; in a half-term too short for that, its first school day). None if it has no school day."""
    last = calendar.last_school_day_of_half_term(half_term)
    if last is None:
        return None
    school_days = list(calendar.school_days_between(half_term.first_day, last))
    return school_days[max(0, len(school_days) - 1 - DUE_SCHOOL_DAYS_BEFORE_HALF_TERM_END)]


def reviews_due_in_half_term(half_term: HalfTermDates, calendar: SchoolCalendar, placement_start: dt.date,
                             placement_end: dt.date | None, review_every_weeks: int | None = None, *,
                             placement_id: int) -> list[ReviewObligation] | None:
    """8.2, 8.3: the formal reviews a placement owes in this half-term, in order; None when the placement is not
    active on any school day of it. `placement_end` is its (planned or actual) last day, None when open-ended;
    `review_every_weeks` is the agreement's more frequent review, in school weeks (see the module docstring).
    Every obligation is created on the same day; the sweep creates those whose `created_on` has come."""
    if review_every_weeks is not None and review_every_weeks < 1:
        raise ValueError("review_every_weeks counts weeks from 1")
    last = calendar.last_school_day_of_half_term(half_term)
    if last is None:
        return None
    active_from = max(placement_start, half_term.first_day)
    active_to = min(placement_end, last) if placement_end is not None else last
    active_days = list(calendar.school_days_between(active_from, active_to))
    if not active_days:
        return None
    created_on, final_day = active_days[0], active_days[-1]

    half_termly = half_termly_review_due_on(half_term, calendar)
    if created_on > half_termly:  # started in the last school week: still reviewed this half-term
        half_termly = last
    half_termly = min(half_termly, final_day)  # ends first: reviewed before it ends

    due_dates: list[dt.date] = []
    if review_every_weeks is not None:
        step = review_every_weeks * SCHOOL_DAYS_IN_A_WEEK
        # active_days[0] is the creation day; the n-th school day after it is active_days[n]
        due_dates = [active_days[n] for n in range(step, len(active_days), step) if active_days[n] < half_termly]
    due_dates.append(half_termly)
    return [ReviewObligation(placement_id, half_term, sequence, created_on, due_on)
            for sequence, due_on in enumerate(due_dates, start=1)]


@dataclass(frozen=True)
class EscalationStep:
    on: dt.date  # from the start of this school day
    to: SchoolRoleName | TrustRoleName


@dataclass(frozen=True)
class ReviewReminders:
    """When to remind the AP leader, and whom to tell, on which school day, while the review is not held."""

    due_on: dt.date
    remind_on: dt.date | None  # None: no reminder (created inside the lead time, or the calendar starts later)
    escalate_to_headteacher_on: dt.date
    escalate_to_trust_on: dt.date

    @property
    def escalations(self) -> tuple[EscalationStep, ...]:
        return (EscalationStep(self.escalate_to_headteacher_on, SchoolRoleName.HEADTEACHER),
                EscalationStep(self.escalate_to_trust_on, TrustRoleName.TRUST_SAFEGUARDING_LEAD))


def review_reminder_and_escalation(due_on: dt.date, calendar: SchoolCalendar,
                                   created_on: dt.date | None = None) -> ReviewReminders:
    """8.3 kept, not forgotten: the AP leader is reminded 5 school days before the due date (not when the task
    was created on or after that day: its own notice has just told them); the headteacher is told on the school
    day after the due date; the trust safeguarding lead on the half-term's last school day if it is still not
    held then (the school shuts for the holiday after it). A review due on the half-term's last school day gives
    the headteacher 5 school days first. Raises CalendarNotEntered when the school's calendar does not reach the
    escalation dates (the sweep asks for the next half-term's dates)."""
    try:
        remind_on = calendar.nth_school_day_before(due_on, REMIND_SCHOOL_DAYS_BEFORE_DUE)
    except CalendarNotEntered:
        remind_on = None
    if remind_on is not None and created_on is not None and remind_on <= created_on:
        remind_on = None
    headteacher_on = calendar.nth_school_day_after(due_on, 1)
    half_term = calendar.half_term_for(due_on)
    half_term_end = calendar.last_school_day_of_half_term(half_term) if half_term else None
    if half_term_end is not None and half_term_end > headteacher_on:
        trust_on = half_term_end
    else:
        trust_on = calendar.nth_school_day_after(headteacher_on, HEADTEACHER_SCHOOL_DAYS_BEFORE_TRUST)
    return ReviewReminders(due_on, remind_on, headteacher_on, trust_on)


# 8.8, who receives the key information from a review, is in app.policy.la_notices with the other notices' recipients.


# --- quality-assurance visits (8.1, 8.3) ---------------------------------------------------------------------


@dataclass(frozen=True)
class QAVisitDue:
    due_on: dt.date
    counted_from: dt.date  # the last visit, or the placement's start when that is later (or there is no visit)
    every_weeks: int
    overdue: bool  # today is after the due date
    days_overdue: int  # 0 unless overdue


def provider_qa_every_weeks(agreed: Iterable[int | None]) -> int:
    """8.1, 8.3: how often to visit a provider, from the frequencies agreed when commissioning its placements: the
    most frequent wins; none agreed, about half-termly (DEFAULT_QA_VISIT_EVERY_WEEKS)."""
    weeks = [w for w in agreed if w]
    return min(weeks) if weeks else DEFAULT_QA_VISIT_EVERY_WEEKS


def qa_visits_due(last_visit_on: dt.date | None, every_weeks: int | None, today: dt.date,
                  placement_start: dt.date) -> QAVisitDue:
    """8.1, 8.3: when the next QA visit to a provider is due, counted in calendar weeks (`every_weeks`, the
    commissioning frequency; None: DEFAULT_QA_VISIT_EVERY_WEEKS) from the later of the last visit and the
    placement's start — a provider visited long before a pupil started there is visited within the agreed weeks
    of the start, not at once. For a provider with several placements pass the earliest active start and
    `provider_qa_every_weeks` of their agreements. Overdue when today is after the due date."""
    weeks = every_weeks or DEFAULT_QA_VISIT_EVERY_WEEKS
    if weeks < 1:
        raise ValueError("every_weeks counts weeks from 1")
    counted_from = max(last_visit_on, placement_start) if last_visit_on else placement_start
    due_on = counted_from + dt.timedelta(weeks=weeks)
    days_overdue = max(0, (today - due_on).days)
    return QAVisitDue(due_on, counted_from, weeks, days_overdue > 0, days_overdue)
