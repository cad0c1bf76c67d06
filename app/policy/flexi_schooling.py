"""Flexi-schooling (policy section 10): plain rules, no Flask, no database.

- `second_request_problem` (10.4): no second request for the same pupil in the same academic year.
- `parse_pattern`, `pattern_problem` (10.5): the time at home in whole morning, afternoon or day blocks.
- `may_decide` (10.4): the headteacher decides; there is no right of appeal.
- `agreement_problems` (10.5): what the agreement must hold.
- `withdrawal_problems`, `notice_is_short` (10.6): withdrawal by either side, a reason below four weeks' notice.
- `termly_reviews` (10.6): when each term's review is due, from the school's own calendar.
- `home_sessions_on` (10.3, 10.5): which sessions of a school day the pupil is educated at home (register code C).

Decisions, in one place:
- "Will not usually consider another request ... in the same academic year" is applied as a refusal naming the
  first request's date; a request received in the next academic year (from 1 August, as the school calendar
  counts years) is considered as usual.
- "Reasonable notice ... usually a minimum of four weeks": four weeks is 28 days from the notice date to the end
  date; exactly 28 days is enough. Shorter notice is possible "on a case-by-case basis", so it is allowed with a
  reason recorded, never refused outright.
- A termly review is due by the last school day of each term the agreement runs in (from the term its start falls
  in or the first term after it), and is set no earlier than the start: a term whose last school day comes before
  the agreement starts has no review.
- A pattern with every session at home is full-time elective home education (10.1), not flexi-schooling, and is
  refused; so is a pattern with no session at home.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app.school_calendar import TERMS, SchoolCalendar, academic_year_label, academic_year_of

AM, PM = "am", "pm"  # app.models.placements.SessionOfDay values
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
BLOCKS = ("am", "pm", "day")  # 10.5: "whole morning, afternoon or day blocks"
BLOCK_NAMES = {"am": "morning", "pm": "afternoon", "day": "whole day"}
MINIMUM_NOTICE = dt.timedelta(weeks=4)  # 10.6: "usually a minimum of four weeks' notice"
# The register's times for a home session (the school's own session times; a home session has no provider).
HOME_SESSION_TIMES = {AM: (dt.time(9, 0), dt.time(12, 0)), PM: (dt.time(13, 0), dt.time(15, 15))}


# --- 10.4: the request -------------------------------------------------------------------------------------------


def second_request_problem(received_on: dt.date, earlier_requests: Iterable[dt.date]) -> str | None:
    """Policy 10.4: "the school will not usually consider another request for the same pupil in the same academic
    year". Given the dates earlier requests for the pupil were received, the refusal (naming the first request of
    this academic year) or None. A request in another academic year is considered."""
    year = academic_year_of(received_on)
    same_year = sorted(d for d in earlier_requests if academic_year_of(d) == year)
    if not same_year:
        return None
    return (f"A flexi-schooling request for this pupil was received on {same_year[0]:%-d %B %Y}: the school does "
            f"not consider another request for the same pupil in the same academic year "
            f"({academic_year_label(year)}) (policy 10.4).")


def may_decide(is_headteacher: bool) -> bool:
    """Policy 10.4: "the decision ... will be made on a case-by-case basis by the Headteacher"."""
    return is_headteacher


NO_APPEAL = "There is no right of appeal to the decision (policy 10.4)."


def decision_problems(is_headteacher: bool, already_decided: bool, approve: bool | None,
                      reasons: str | None) -> dict[str, str]:
    """Policy 10.4: only the headteacher decides, once (there is no appeal to reopen it), with reasons, since the
    decision is communicated in writing."""
    problems: dict[str, str] = {}
    if not may_decide(is_headteacher):
        problems["decided_by"] = "Only the headteacher decides a flexi-schooling request (policy 10.4)."
    if already_decided:
        problems["decision"] = "This request has been decided. " + NO_APPEAL
    elif approve is None:
        problems["decision"] = "Choose whether the request is approved or refused."
    if not (reasons or "").strip():
        problems["reasons"] = "Give the reasons for the decision: it is communicated in writing (policy 10.4)."
    return problems


# --- 10.5: the pattern ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternEntry:
    """One block at home: a weekday (0 = Monday) and "am", "pm" or "day"."""

    weekday: int
    block: str


class PatternRefused(ValueError):
    pass


def parse_pattern(entries: Iterable) -> list[PatternEntry]:
    """Policy 10.5: the times at home "will normally be whole morning, afternoon or day blocks". Entries are
    "mon_am", "tue_day", or {"weekday": "mon"|0, "block": "am"}; anything else (a time range, a weekend, part of a
    session) is refused, naming it."""
    parsed = []
    for entry in entries:
        if isinstance(entry, dict):
            weekday, block = entry.get("weekday"), entry.get("block")
        elif isinstance(entry, str) and "_" in entry:
            weekday, block = entry.split("_", 1)
        else:
            raise PatternRefused(f"{entry!r} is not a block: use a weekday and am, pm or day, e.g. mon_am.")
        if isinstance(weekday, str) and weekday.lower()[:3] in WEEKDAY_KEYS:
            weekday = WEEKDAY_KEYS.index(weekday.lower()[:3])
        if not isinstance(weekday, int) or isinstance(weekday, bool) or weekday not in range(5):
            raise PatternRefused(f"{entry!r}: flexi-schooling blocks fall on school weekdays, Monday to Friday.")
        if block not in BLOCKS:
            raise PatternRefused(f"{entry!r}: the time at home is a whole morning (am), afternoon (pm) or day "
                                 "(policy 10.5).")
        parsed.append(PatternEntry(weekday, block))
    return parsed


def home_slots(entries: Iterable[PatternEntry]) -> list[str]:
    """The pattern as the sessions at home, "mon_am" style, in week order (a day block is both sessions)."""
    slots = set()
    for entry in entries:
        for session in ((AM, PM) if entry.block == "day" else (entry.block,)):
            slots.add((entry.weekday, session))
    return [f"{WEEKDAY_KEYS[d]}_{s}" for d, s in sorted(slots, key=lambda x: (x[0], x[1] != AM))]


def pattern_problem(slots: list[str]) -> str | None:
    """Policy 10.3, 10.5: flexi-schooling is part-time at school and part-time at home: at least one session at
    home and at least one at school."""
    if not slots:
        return "Choose at least one morning, afternoon or day at home."
    if len(set(slots)) >= 2 * len(WEEKDAY_KEYS):
        return ("Every session at home is full-time elective home education (policy 10.1), not flexi-schooling: "
                "the pupil attends school for part of the week.")
    return None


def provision_clash(home: Iterable[str], provision: dict[str, str]) -> str | None:
    """Policy 10.3, 10.5: a session is at home or at school (or at a provider the school commissioned), never both:
    `provision` maps the pupil's weekly provider sessions ("fri_am") to the provider's name. The first clash, or
    None."""
    for slot in home:
        if slot in provision:
            return (f"{describe_pattern([slot])[0].replace(': ', ' ')} is a session at {provision[slot]} (a placement): "
                    "a session at home cannot also be one at a provider.")
    return None


def describe_pattern(slots: Iterable[str]) -> list[str]:
    """Readable lines: "Monday: whole day", "Friday: afternoon"."""
    by_day: dict[int, set[str]] = {}
    for slot in slots:
        day, session = slot.split("_")
        by_day.setdefault(WEEKDAY_KEYS.index(day), set()).add(session)
    return [f"{WEEKDAY_NAMES[d]}: {'whole day' if s == {AM, PM} else BLOCK_NAMES[next(iter(s))]}"
            for d, s in sorted(by_day.items())]


def home_sessions_on(slots: Iterable[str], day: dt.date) -> list[str]:
    """Policy 10.3: the sessions (AM, PM) of this day the pupil is educated at home, AM first."""
    if day.weekday() > 4:
        return []
    key = WEEKDAY_KEYS[day.weekday()]
    wanted = set(slots)
    return [s for s in (AM, PM) if f"{key}_{s}" in wanted]


# --- 10.5: the agreement ------------------------------------------------------------------------------------------

AGREEMENT_FIELDS = {  # 10.5's list, each field and what the refusal says
    "pupil_needs": "Give key information about the pupil and their needs.",
    "rationale": "Give the rationale for adopting a flexi-schooling approach.",
    "home_education_provision": "Describe the education provided at home.",
    "section_7_how_met": ("Say how the parent or carer will make sure the education at home meets section 7 of "
                          "the Education Act 1996."),
    "welfare_responsible_at_home": "Say who is primarily responsible for the pupil's welfare at home.",
    "school_curriculum": "Describe the curriculum at school.",
    "school_assessments": "Describe the assessments at school.",
}


def agreement_problems(values: dict, start_date: dt.date | None, request_approved: bool,
                       decided_on: dt.date | None) -> dict[str, str]:
    """Policy 10.5: an agreement is drawn up only after the headteacher agreed the request, and holds everything
    the policy lists; it begins on a date no earlier than the decision."""
    problems = {name: message for name, message in AGREEMENT_FIELDS.items() if not (values.get(name) or "").strip()}
    if not request_approved:
        problems["request"] = "An agreement is drawn up only once the headteacher has approved the request (10.5)."
    if start_date is None:
        problems["start_date"] = "Enter the date the arrangement will begin."
    elif decided_on is not None and start_date < decided_on:
        problems["start_date"] = f"The arrangement cannot begin before the decision ({decided_on:%-d %B %Y})."
    return problems


# --- 10.6: withdrawal --------------------------------------------------------------------------------------------


def notice_is_short(notice_given_on: dt.date, end_date: dt.date) -> bool:
    """Policy 10.6: less than four weeks from the notice to the end."""
    return end_date - notice_given_on < MINIMUM_NOTICE


def withdrawal_problems(withdrawn_by: str | None, notice_given_on: dt.date | None, end_date: dt.date | None,
                        reason: str | None, start_date: dt.date, already_withdrawn: bool) -> dict[str, str]:
    """Policy 10.6: "Either party can withdraw ... with reasonable notice. This would usually be a minimum of four
    weeks' notice, but the school may consider a shorter notice period on a case-by-case basis": who withdraws,
    the notice date and end date are required; with less than four weeks' notice, the reason the shorter period
    is accepted."""
    problems: dict[str, str] = {}
    if already_withdrawn:
        problems["withdrawn_by"] = "Notice of withdrawal has already been recorded for this agreement."
        return problems
    if withdrawn_by not in ("school", "parent"):
        problems["withdrawn_by"] = "Say who is withdrawing: the school or the parent or carer."
    if notice_given_on is None:
        problems["notice_given_on"] = "Enter the date notice was given."
    if end_date is None:
        problems["end_date"] = "Enter the date the arrangement ends."
    elif end_date < start_date:
        problems["end_date"] = f"The arrangement ends on or after its start ({start_date:%-d %B %Y})."
    elif notice_given_on is not None:
        if end_date < notice_given_on:
            problems["end_date"] = "The end date comes on or after the date notice was given."
        elif notice_is_short(notice_given_on, end_date) and not (reason or "").strip():
            problems["reason"] = (f"Notice of {(end_date - notice_given_on).days} days is less than four weeks: "
                                  "give the reason a shorter notice period is accepted (policy 10.6).")
    return problems


# --- 10.6: termly reviews ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermlyReview:
    """One term's review of an agreement: due by the term's last school day."""

    academic_year: int
    term: str
    due_on: dt.date

    @property
    def key(self) -> str:
        return f"{academic_year_label(self.academic_year)}:{self.term}"

    @property
    def label(self) -> str:
        return f"{self.term.title()} term {academic_year_label(self.academic_year)}"


def termly_reviews(calendar: SchoolCalendar, start_date: dt.date, end_date: dt.date | None,
                   until: dt.date) -> list[TermlyReview]:
    """Policy 10.6: "A flexi-schooling agreement will be reviewed on a termly basis": one review per term of the
    school's calendar that the agreement runs in, due by that term's last school day, for terms whose last school
    day falls from the start to `until` (and not after the agreement's end). Terms the calendar has not entered
    have no date yet."""
    terms: dict[tuple[int, str], list] = {}
    for half in calendar.half_terms:
        terms.setdefault((half.academic_year, str(half.term)), []).append(half)
    reviews = []
    for (year, term), halves in sorted(terms.items(), key=lambda item: (item[0][0], TERMS.index(item[0][1]))):
        last_days = [d for d in (calendar.last_school_day_of_half_term(h) for h in halves) if d is not None]
        if not last_days:
            continue
        due = max(last_days)
        first = min(h.first_day for h in halves)
        if due < start_date or due > until:
            continue
        if end_date is not None and first > end_date:
            continue  # the arrangement ended before this term began
        reviews.append(TermlyReview(year, term, due))
    return reviews


def next_termly_review(calendar: SchoolCalendar, start_date: dt.date, end_date: dt.date | None,
                       today: dt.date) -> TermlyReview | None:
    """The review due this term (or the next term the calendar has), or None when the calendar does not reach."""
    last = calendar.last_entered_day
    if last is None:
        return None
    upcoming = [r for r in termly_reviews(calendar, start_date, end_date, last) if r.due_on >= today]
    return upcoming[0] if upcoming else None

