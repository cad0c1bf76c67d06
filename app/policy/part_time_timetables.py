"""Part-time timetables (policy section 9, 9.3-9.7; issue 15).

A pupil of compulsory school age is entitled to full-time education (9.1). A temporary part-time timetable is for
very exceptional circumstances in the pupil's best interests (9.3), never to manage behaviour (9.4); anyone on the
staff may propose one but only the headteacher approves it (9.5); it is agreed with the parent or carer the pupil
normally lives with, reviewed with the pupil's and parents' views, part of a wider support plan, aims at a return
to full time, gives on-site provision every day where possible and extra welfare checks where not, involves the
LA for an EHCP, the social worker, and the Virtual School Head for a looked-after pupil (9.6); absences are coded
on the register (C2) and the LA's reporting procedure is followed (9.7).

Decisions, in one place:
- The reason categories are `REASON_CATEGORIES`; behaviour management is listed so it can be refused by name.
- A required end date is the planned return to full time (9.6 "a clear ambition to return").
- Reviews default to every two school weeks (ten school days) from the start (`default_review_dates`).
- "Running past six weeks" counts calendar weeks from the start to the (current) end date: 42 days.
- Hours per week count on-site and provider sessions; full time is app.policy.school_age.full_time_hours.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.policy.school_age import full_time_hours
from app.school_calendar import CalendarNotEntered, SchoolCalendar

AM, PM = "am", "pm"

# 9.4, quoted where a proposal is refused.
SECTION_9_4 = ("The school does not use a part-time timetable in order to manage a pupil's behaviour "
               "(policy 9.4).")
REVIEW_EVERY_SCHOOL_DAYS = 10  # issue 15: by default every two school weeks
SIX_WEEKS = dt.timedelta(weeks=6)  # issue 15: a timetable running past six weeks is flagged


class Arrangement(enum.StrEnum):
    """Where the pupil is for one session of the timetable."""

    ON_SITE = "on_site"
    AT_PROVIDER = "at_provider"  # through an existing placement; the placement's own sessions stay as they are
    NOT_IN_EDUCATION = "not_in_education"  # the session the timetable removes: C2 on the register (9.6)

    @property
    def label(self) -> str:
        return {"on_site": "On site", "at_provider": "At a provider",
                "not_in_education": "Not in education (C2)"}[self.value]


class TimetableStatus(enum.StrEnum):
    PROPOSED = "proposed"  # proposed (9.5); not active until agreed and approved
    ACTIVE = "active"  # agreed by the parent and approved by the headteacher
    ENDED = "ended"  # returned to full time (or withdrawn before approval)


class ReviewDecision(enum.StrEnum):
    """What a review decides (9.6, issue 15 item 7)."""

    CONTINUE_WITH_CHANGES = "continue_with_changes"
    EXTEND = "extend"
    RETURN_TO_FULL_TIME = "return_to_full_time"

    @property
    def label(self) -> str:
        return {"continue_with_changes": "Continue (with any changes)", "extend": "Extend, with reasons",
                "return_to_full_time": "Return to full time"}[self.value]


BEHAVIOUR_MANAGEMENT = "behaviour_management"

# category -> (label, accepted); the policy's examples (9.3 medical needs) and the (reintegration, EHCP
# transition). Behaviour management is here only to be refused by name (9.4).
REASON_CATEGORIES: dict[str, tuple[str, bool]] = {
    "medical_needs": ("A medical condition prevents full-time attendance (9.3)", True),
    "mental_health": ("Mental health or emotional wellbeing needs (9.3)", True),
    "reintegration": ("Reintegration after a long absence or alternative provision", True),
    "ehcp_transition": ("Transition while an EHCP is being put in place or changed", True),
    BEHAVIOUR_MANAGEMENT: ("Managing the pupil's behaviour", False),
}


def accepted_reason_categories() -> dict[str, str]:
    """Policy 9.3, 9.4: the reason categories a part-time timetable may be proposed for, code -> label."""
    return {code: label for code, (label, accepted) in REASON_CATEGORIES.items() if accepted}


def reason_problem(category: str | None) -> str | None:
    """Policy 9.3, 9.4: why this reason category cannot be used, or None. Behaviour management is refused
    quoting 9.4."""
    if category == BEHAVIOUR_MANAGEMENT:
        return SECTION_9_4
    if category not in accepted_reason_categories():
        return "Choose the reason for the part-time timetable."
    return None


@dataclass(frozen=True)
class TimetableEntry:
    """One session of the pupil's week under the timetable (weekday 0 = Monday ... 4 = Friday)."""

    weekday: int
    session: str  # AM or PM
    arrangement: Arrangement
    starts_at: dt.time
    ends_at: dt.time
    placement_id: int | None = None

    @property
    def hours(self) -> float:
        minutes = (self.ends_at.hour * 60 + self.ends_at.minute) - (self.starts_at.hour * 60 + self.starts_at.minute)
        return max(0, minutes) / 60


@dataclass(frozen=True)
class Proposal:
    reason_category: str | None
    reason_details: str | None
    support_plan: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    entries: Sequence[TimetableEntry]
    review_dates: Sequence[dt.date] = ()


def proposal_errors(proposal: Proposal, placement_ids: Iterable[int] = (),
                    provider_slots: Iterable[tuple[int, str]] = ()) -> dict[str, str]:
    """Policy 9.3-9.6: the problems with a proposal, by field (empty when it can be recorded). The reason is an
    accepted category with details (9.3, 9.4), it belongs to a wider support plan (9.6), it has a start and a
    required end date (a planned return to full time, 9.6), review dates inside it, and the timetable removes at
    least one session; a session at a provider names one of the pupil's placements (`placement_ids`), and a session
    the pupil's placements already have at a provider (`provider_slots`, (weekday, AM/PM)) is not removed: it stays
    as it is on the register (issue 15 item 5)."""
    errors: dict[str, str] = {}
    problem = reason_problem(proposal.reason_category)
    if problem:
        errors["reason_category"] = problem
    if not (proposal.reason_details or "").strip():
        errors["reason_details"] = "Describe the reason for the part-time timetable."
    if not (proposal.support_plan or "").strip():
        errors["support_plan"] = "Say which wider support plan the timetable is part of (9.6)."
    if proposal.start_date is None:
        errors["start_date"] = "Enter the start date."
    if proposal.end_date is None:
        errors["end_date"] = ("Enter the end date: a part-time timetable is temporary and plans the return to "
                              "full-time education (9.6).")
    elif proposal.start_date is not None and proposal.end_date < proposal.start_date:
        errors["end_date"] = "The end date must be on or after the start date."
    if proposal.start_date and proposal.end_date and any(
            not proposal.start_date <= day <= proposal.end_date for day in proposal.review_dates):
        errors["review_dates"] = "Review dates must fall between the start and end dates."
    allowed = set(placement_ids)
    slots = [(e.weekday, e.session) for e in proposal.entries]
    if len(slots) != len(set(slots)):
        errors["sessions"] = "Give each weekday's morning and afternoon once."
    elif not any(e.arrangement is Arrangement.NOT_IN_EDUCATION for e in proposal.entries):
        errors["sessions"] = "Mark the sessions the part-time timetable removes (not in education)."
    elif any(e.arrangement is Arrangement.AT_PROVIDER and e.placement_id not in allowed for e in proposal.entries):
        errors["sessions"] = "A session at a provider must be one of the pupil's existing placements."
    elif any(e.arrangement is Arrangement.NOT_IN_EDUCATION and (e.weekday, e.session) in set(provider_slots)
             for e in proposal.entries):
        errors["sessions"] = ("A session the pupil has at a provider stays as it is: mark it at a provider, not "
                              "as not in education.")
    return errors


# --- agreement, involvement and approval ------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalFacts:
    """What is known about a proposed timetable and its pupil when the headteacher is asked to approve it."""

    parent_agreed: bool
    has_end_date: bool
    has_ehcp: bool
    has_social_worker: bool
    is_looked_after: bool
    la_send_discussed: bool
    social_worker_informed: bool
    virtual_school_head_discussed: bool


def involvement_missing(facts: ApprovalFacts) -> list[str]:
    """Policy 9.6: the involvement still to record. For a pupil with an EHCP, the discussion with the LA; with a
    social worker, the social worker informed and involved; looked after, the discussion with the Virtual School
    Headteacher (or their delegated representative)."""
    missing = []
    if facts.has_ehcp and not facts.la_send_discussed:
        missing.append("the discussion with the local authority's SEND team (the pupil has an EHCP, 9.6)")
    if facts.has_social_worker and not facts.social_worker_informed:
        missing.append("the pupil's social worker informed and involved (9.6)")
    if facts.is_looked_after and not facts.virtual_school_head_discussed:
        missing.append("the discussion with the Virtual School Headteacher (the pupil is looked after, 9.6)")
    return missing


def approval_missing(facts: ApprovalFacts) -> list[str]:
    """Policy 9.5, 9.6: what must be recorded before the headteacher can approve (empty when ready): the
    agreement of the parent or carer the pupil normally lives with, a planned end date, and the involvement
    conditions."""
    missing = []
    if not facts.parent_agreed:
        missing.append("the agreement of the parent or carer the pupil normally lives with (9.6)")
    if not facts.has_end_date:
        missing.append("a planned end date (9.6)")
    return missing + involvement_missing(facts)


def may_approve(role_names: Iterable[str]) -> bool:
    """Policy 9.5: all part-time timetables must be approved by the headteacher, and only the headteacher."""
    return "headteacher" in set(role_names)


def is_active(status: str, approved: bool, parent_agreed: bool) -> bool:
    """Policy 9.5, 9.6: a timetable is in force only once agreed by the parent and approved by the headteacher."""
    return status == TimetableStatus.ACTIVE and approved and parent_agreed


# --- reviews, extensions, duration ------------------------------------------------------------------------------


def default_review_dates(start: dt.date, end: dt.date, calendar: SchoolCalendar,
                         every: int = REVIEW_EVERY_SCHOOL_DAYS) -> list[dt.date]:
    """Policy 9.6 (regularly reviewed): by default a review every two school weeks (ten school days) from the
    start, up to the end date, on the school's calendar. Where the calendar is not entered far enough the dates
    stop there (more are added when the calendar is)."""
    dates: list[dt.date] = []
    day = start
    while True:
        try:
            day = calendar.nth_school_day_after(day, every)
        except (CalendarNotEntered, LookupError):
            break
        if day > end:
            break
        dates.append(day)
    return dates


def extension_errors(at_review: bool, new_end: dt.date | None, current_end: dt.date,
                     reasons: str | None) -> dict[str, str]:
    """Policy 9.6, issue 15 item 7: a timetable is extended only at a review, with reasons, to a later date."""
    errors: dict[str, str] = {}
    if not at_review:
        errors["decision"] = "A part-time timetable can only be extended at a review (9.6)."
        return errors
    if new_end is None:
        errors["extended_to"] = "Enter the new end date."
    elif new_end <= current_end:
        errors["extended_to"] = "The new end date must be after the current end date."
    if not (reasons or "").strip():
        errors["extension_reasons"] = "Give the reasons for extending the part-time timetable."
    return errors


def review_errors(decision: str | None, pupil_views: str | None, parent_views: str | None) -> dict[str, str]:
    """Policy 9.6: a review includes the views of both the pupil and their parents or carers, and decides."""
    errors: dict[str, str] = {}
    try:
        ReviewDecision(decision)
    except ValueError:
        errors["decision"] = "Choose continue, extend or return to full time."
    if not (pupil_views or "").strip():
        errors["pupil_views"] = "Record the pupil's views (9.6)."
    if not (parent_views or "").strip():
        errors["parent_views"] = "Record the parents' or carers' views (9.6)."
    return errors


def total_duration(start: dt.date, end: dt.date) -> dt.timedelta:
    return end - start + dt.timedelta(days=1)


def planned_past_six_weeks(start: dt.date, end: dt.date) -> bool:
    """Whether the timetable, start to its current end date, is planned to run past six weeks (shown on its page)."""
    return total_duration(start, end) > SIX_WEEKS


def six_week_flag_due(start: dt.date, today: dt.date, flagged: bool) -> bool:
    """Issue 15 item 7 (9.6: temporary, a return to full time as soon as practicable): a timetable still in force
    six weeks after its start is flagged to the headteacher and the trust safeguarding lead, once."""
    return not flagged and today >= start + SIX_WEEKS


# --- the pupil's week -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    hours_in_education: float
    full_time_hours: float | None

    @property
    def percentage(self) -> float | None:
        return 100 * self.hours_in_education / self.full_time_hours if self.full_time_hours else None


def week_of(entries: Iterable[TimetableEntry], year_group: int) -> Week:
    """Issue 15 item 4: hours in education a week (on site and at a provider) against full-time hours for the
    pupil's key stage (app.policy.school_age.full_time_hours)."""
    hours = sum(e.hours for e in entries if e.arrangement is not Arrangement.NOT_IN_EDUCATION)
    return Week(round(hours, 2), full_time_hours(year_group))


# --- the register and welfare -----------------------------------------------------------------------------------


def removed_sessions(entries: Iterable[TimetableEntry], day: dt.date) -> list[TimetableEntry]:
    """Policy 9.6 (the correct codes): the sessions the timetable removes on this weekday, AM before PM: C2."""
    return sorted((e for e in entries if e.weekday == day.weekday()
                   and e.arrangement is Arrangement.NOT_IN_EDUCATION), key=lambda e: e.session != AM)


def in_force_on(day: dt.date, start: dt.date, end: dt.date, ended_on: dt.date | None = None) -> bool:
    """Whether the timetable applies on this day: from its start to its end date, or to the day before an early
    return to full time."""
    last = end if ended_on is None else min(end, ended_on - dt.timedelta(days=1))
    return start <= day <= last


def welfare_check_needed(entries: Iterable[TimetableEntry], day: dt.date, calendar: SchoolCalendar) -> bool:
    """Policy 9.6: where the timetable gives the pupil no on-site session on a school day, an additional safety
    and welfare check (call, online meeting or home visit) is made that day. Never on a day that is not a school
    day (weekends, holidays, training days)."""
    if not calendar.is_school_day(day):
        return False
    return not any(e.weekday == day.weekday() and e.arrangement is Arrangement.ON_SITE for e in entries)


# --- LA reporting (9.7) ----------------------------------------------------------------------------------------


class NoticeEvent(enum.StrEnum):
    START = "start"
    CHANGE = "change"
    END = "end"


class ReturnFrequency(enum.StrEnum):
    NONE = "none"
    MONTHLY = "monthly"
    HALF_TERMLY = "half_termly"
    TERMLY = "termly"


def la_notice_due(event: NoticeEvent, notify_on: Iterable[str]) -> bool:
    """Policy 9.7: whether the LA's procedure asks to be told of this event (start, change or end)."""
    return NoticeEvent(event).value in set(notify_on)


def return_due(frequency: str, day: dt.date, calendar: SchoolCalendar) -> bool:
    """Policy 9.7: whether the LA's scheduled return of all current timetables is due on this school day: the
    first school day of each month, half-term, or term (autumn, spring, summer) as its procedure says."""
    frequency = ReturnFrequency(frequency)
    if frequency is ReturnFrequency.NONE or not calendar.is_school_day(day):
        return False
    half_term = calendar.half_term_for(day)
    if frequency is ReturnFrequency.MONTHLY:
        first = next(iter(calendar.school_days_between(day.replace(day=1), day)), None)
        return first == day
    if half_term is None or calendar.first_school_day_of_half_term(half_term) != day:
        return False
    return frequency is ReturnFrequency.HALF_TERMLY or half_term.part == 1
