"""Daily attendance at providers (issue 6; policy 4.5, 7.8, 9.6; KCSIE; reference/attendance-codes.md).

A pupil in alternative provision stays the school's pupil: every session they are due at a provider, the
attendance officer confirms the same day whether they came (4.5), the provider having agreed to report both
sessions daily (7.8), and an unexplained absence is followed up that day (KCSIE, children missing education).

- `expected_sessions`: the sessions a placement's weekly pattern puts on the school's school days (4.5, 7.8).
- `register_code`: the register mark for one session (attendance-codes.md), with `ABSENCE_REASONS` as data.
- `cutoff_at`, `prompt_due`, `welfare_check_due`: when an unconfirmed session prompts the attendance officer, and
  when it (or an absence with no reason) needs a welfare check by the DSL.
- `attendance_percentage`, `attendance_by_week`, `attendance_by_half_term`: the attendance picture.

Decisions, in one place:
- AM/PM and who arranged the provision are the string values of `SessionOfDay` and `ArrangedBy`
  (app.models.placements); both are StrEnums, so the model's members are accepted as they are.
- Late within the register's 30 minutes (statutory-facts.md: a register stays open no longer than 30 minutes;
  `register_open_minutes` to change it) keeps the attending code (B/K): L belongs to pupils on the school's own
  site. Late by more than that is U (arrived after the register closed). Exactly 30 minutes late is in time.
- Dual registration is D whatever the provider reports: D marks a session the pupil is due at the other school
  where they are registered, whose own register records their attendance or absence. The welfare rules still
  apply to it: the school stays responsible for knowing the pupil is safe.
- An absence with no reason is N (reason not yet provided); N counts as "no reason" for the welfare check.
- Possible sessions exclude D (attendance-codes.md), the administrative codes (X, Z, #) and the "unable to
  attend" codes (Q, Y1-Y7), which DfE's guidance does not count as possible sessions. A session with no mark
  yet (unconfirmed) is left out of the percentage; the pages show unconfirmed sessions separately.
- Sessions a part-time timetable removes (C2, policy 9.6) and flexi-schooling home sessions (C) are session
  kinds, not outcomes: their code does not depend on what a provider reports.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from app.clock import local_datetime
from app.school_calendar import HalfTermDates, SchoolCalendar

AM, PM = "am", "pm"  # app.models.placements.SessionOfDay values
SCHOOL, LOCAL_AUTHORITY, DUAL_REGISTRATION = "school", "local_authority", "dual_registration"  # ArrangedBy values

REGISTER_OPEN_MINUTES = 30  # statutory-facts.md: a register stays open no longer than 30 minutes
DEFAULT_CUTOFF_MINUTES = 30  # issue 6: e.g. 30 minutes after the provider's start time; each school sets its own
WELFARE_ESCALATION = dt.timedelta(hours=1)  # issue 6: still unconfirmed an hour after the cut-off
# Below 90% of possible sessions a pupil is "persistently absent" in DfE's attendance statistics (missing 10% or
# more): the school and trust views list such pupils so their placement is looked at before the next review.
PERSISTENT_ABSENCE_THRESHOLD = 90.0


# --- expected sessions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPattern:
    """One session a week at the provider, as a `WeeklySession` row holds it (weekday 0 = Monday ... 4 = Friday)."""

    weekday: int
    session: str  # AM or PM
    starts_at: dt.time
    ends_at: dt.time

    def __post_init__(self):
        if self.weekday not in range(5):
            raise ValueError(f"weekday {self.weekday} is not a school weekday (0 = Monday ... 4 = Friday)")
        if self.session not in (AM, PM):
            raise ValueError(f"session {self.session!r} is neither {AM!r} nor {PM!r}")
        if self.ends_at <= self.starts_at:
            raise ValueError("a session ends after it starts")


@dataclass(frozen=True)
class ExpectedSessionSlot:
    """A session the pupil is due at the provider on one school day."""

    day: dt.date
    session: str  # AM or PM
    starts_at: dt.time
    ends_at: dt.time


def expected_sessions(pattern: Iterable[SessionPattern], calendar: SchoolCalendar, start_date: dt.date,
                      end_date: dt.date, placement_start: dt.date,
                      placement_end: dt.date | None = None) -> list[ExpectedSessionSlot]:
    """Policy 4.5, 7.8: the sessions a pupil is due at the provider from start_date to end_date (both included):
    each pattern entry on each of the school's school days (no weekends, holidays, bank holidays or training
    days) that falls within the placement, from placement_start to placement_end (None: still running).
    In day order, AM before PM. Days the school's calendar does not cover are not school days, so they expect
    nothing (`SchoolCalendar.covers` tells the caller when that is why a list is short)."""
    first = max(start_date, placement_start)
    last = end_date if placement_end is None else min(end_date, placement_end)
    by_weekday: dict[int, list[SessionPattern]] = {}
    for entry in pattern:
        by_weekday.setdefault(entry.weekday, []).append(entry)
    for entries in by_weekday.values():
        entries.sort(key=lambda e: (e.session != AM, e.starts_at))
    return [ExpectedSessionSlot(day, e.session, e.starts_at, e.ends_at)
            for day in calendar.school_days_between(first, last)
            for e in by_weekday.get(day.weekday(), ())]


# --- register codes -----------------------------------------------------------------------------------------


class CodeCategory(enum.StrEnum):
    """The categories of attendance-codes.md."""

    PRESENT = "present"
    ATTENDING_ELSEWHERE = "attending elsewhere"
    AUTHORISED_ABSENCE = "authorised absence"
    UNAUTHORISED_ABSENCE = "unauthorised absence"
    UNABLE_TO_ATTEND = "unable to attend"
    ADMINISTRATIVE = "administrative"


@dataclass(frozen=True)
class RegisterCode:
    code: str
    label: str
    category: CodeCategory

    @property
    def counts_as_attendance(self) -> bool:
        """Present, or attending education elsewhere (B, K, V, P, W); D is the other school's to count."""
        return self.category in (CodeCategory.PRESENT, CodeCategory.ATTENDING_ELSEWHERE) and self.is_possible

    @property
    def is_possible(self) -> bool:
        """Whether the session counts among the pupil's possible sessions (see the module's decisions)."""
        return (self.code != "D"
                and self.category not in (CodeCategory.ADMINISTRATIVE, CodeCategory.UNABLE_TO_ATTEND))


_C = CodeCategory
REGISTER_CODES: dict[str, RegisterCode] = {c.code: c for c in (
    RegisterCode("/", "Present (AM)", _C.PRESENT),
    RegisterCode("\\", "Present (PM)", _C.PRESENT),
    RegisterCode("L", "Late, before the register closed", _C.PRESENT),
    RegisterCode("K", "Attending provision arranged by the local authority", _C.ATTENDING_ELSEWHERE),
    RegisterCode("V", "Educational visit or trip", _C.ATTENDING_ELSEWHERE),
    RegisterCode("P", "Approved sporting activity", _C.ATTENDING_ELSEWHERE),
    RegisterCode("W", "Work experience", _C.ATTENDING_ELSEWHERE),
    RegisterCode("B", "Approved educational activity off site", _C.ATTENDING_ELSEWHERE),
    RegisterCode("D", "Dual registered, at the other school", _C.ATTENDING_ELSEWHERE),
    RegisterCode("C1", "Regulated performance or employment abroad", _C.AUTHORISED_ABSENCE),
    RegisterCode("M", "Medical or dental appointment", _C.AUTHORISED_ABSENCE),
    RegisterCode("J1", "Interview", _C.AUTHORISED_ABSENCE),
    RegisterCode("S", "Study leave", _C.AUTHORISED_ABSENCE),
    RegisterCode("X", "Not required to attend (non-compulsory school age)", _C.ADMINISTRATIVE),
    RegisterCode("C2", "Temporary part-time timetable", _C.AUTHORISED_ABSENCE),
    RegisterCode("C", "Leave of absence in exceptional circumstances", _C.AUTHORISED_ABSENCE),
    RegisterCode("T", "Mobile child (Gypsy, Roma or Traveller) travelling", _C.AUTHORISED_ABSENCE),
    RegisterCode("R", "Religious observance", _C.AUTHORISED_ABSENCE),
    RegisterCode("I", "Illness", _C.AUTHORISED_ABSENCE),
    RegisterCode("E", "Suspended or excluded, no alternative provision made", _C.AUTHORISED_ABSENCE),
    RegisterCode("G", "Holiday not granted by the school", _C.UNAUTHORISED_ABSENCE),
    RegisterCode("N", "Reason not yet provided", _C.UNAUTHORISED_ABSENCE),
    RegisterCode("O", "Other unauthorised absence", _C.UNAUTHORISED_ABSENCE),
    RegisterCode("U", "Arrived after the register closed", _C.UNAUTHORISED_ABSENCE),
    RegisterCode("Q", "Lack of access arrangements by the local authority", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y1", "Transport not available", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y2", "Widespread travel disruption", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y3", "Part of the school premises closed", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y4", "Whole school site unexpectedly closed", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y5", "In criminal justice detention", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y6", "Public health guidance or law", _C.UNABLE_TO_ATTEND),
    RegisterCode("Y7", "Any other unavoidable cause", _C.UNABLE_TO_ATTEND),
    RegisterCode("Z", "Prospective pupil, not yet on roll", _C.ADMINISTRATIVE),
    RegisterCode("#", "Planned whole-school closure", _C.ADMINISTRATIVE),
)}

NO_REASON = "N"
# The reasons a provider's or parent's report of an absence can carry, for the confirming form's choices: every
# absence code except C2 and C used as flexi-schooling (session kinds, below) and U (worked out from lateness).
# C stays: leave granted in exceptional circumstances is an absence reason too.
ABSENCE_REASONS: tuple[RegisterCode, ...] = tuple(
    REGISTER_CODES[code] for code in
    ("N", "I", "M", "O", "G", "C", "C1", "J1", "S", "T", "R", "E", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"))
ABSENCE_REASON_CODES = frozenset(r.code for r in ABSENCE_REASONS)


class Outcome(enum.StrEnum):
    """What the provider (or parent) reports for a session."""

    ATTENDED = "attended"
    LATE = "late"
    ABSENT = "absent"


class SessionKind(enum.StrEnum):
    """Why the pupil has the session. Only a provision session depends on what the provider reports."""

    PROVISION = "provision"  # due at the provider (issue 6)
    PART_TIME_TIMETABLE = "part_time_timetable"  # removed by a temporary part-time timetable (9.6): C2
    FLEXI_SCHOOLING_HOME = "flexi_schooling_home"  # educated at home under flexi-schooling (section 10): C


_FIXED_CODE = {SessionKind.PART_TIME_TIMETABLE: "C2", SessionKind.FLEXI_SCHOOLING_HOME: "C"}
_ATTENDING_CODE = {SCHOOL: "B", LOCAL_AUTHORITY: "K"}


def register_code(outcome: str | None, arranged_by: str, absence_reason: str | None = None, *,
                  minutes_late: int | None = None, kind: SessionKind = SessionKind.PROVISION,
                  register_open_minutes: int = REGISTER_OPEN_MINUTES) -> str:
    """Policy 4.5, 9.6; attendance-codes.md: the register code for one session.

    - A part-time timetable session is C2, a flexi-schooling home session C, whatever else is known.
    - Dual registration is D (the other school registers the session: see the module's decisions).
    - Attended, or late by no more than `register_open_minutes`, is B at school-arranged provision and K at
      LA-arranged provision. Late by more (the register had closed) is U.
    - Absent is the reason's code (N when no reason is given yet), never B.
    """
    if kind in _FIXED_CODE:
        return _FIXED_CODE[kind]
    if arranged_by == DUAL_REGISTRATION:
        return "D"
    if arranged_by not in _ATTENDING_CODE:
        raise ValueError(f"unknown arrangement {arranged_by!r}")
    outcome = Outcome(outcome)
    if outcome is Outcome.ABSENT:
        code = absence_reason or NO_REASON
        if code not in ABSENCE_REASON_CODES:
            raise ValueError(f"{code!r} is not an absence reason")
        return code
    if outcome is Outcome.LATE:
        if minutes_late is None or minutes_late < 0:
            raise ValueError("a late arrival needs the minutes late")
        if minutes_late > register_open_minutes:
            return "U"
    return _ATTENDING_CODE[arranged_by]


# --- cut-off prompts and welfare checks ---------------------------------------------------------------------


def cutoff_at(session_start: dt.time, day: dt.date, cutoff_minutes: int = DEFAULT_CUTOFF_MINUTES) -> dt.datetime:
    """Issue 6 item 5, policy 4.5: the school's cut-off for a session, `cutoff_minutes` after the provider's
    start time on that day in school-local (Europe/London) wall-clock time, as an aware UTC instant."""
    if cutoff_minutes < 0:
        raise ValueError("the cut-off comes after the session starts")
    return local_datetime(day, session_start) + dt.timedelta(minutes=cutoff_minutes)


def prompt_due(confirmed: bool, now: dt.datetime, cutoff: dt.datetime) -> bool:
    """Policy 4.5: at the cut-off, an unconfirmed session becomes an urgent prompt for the attendance officer."""
    return not confirmed and now >= cutoff


class WelfareCheckReason(enum.StrEnum):
    """Why the DSL must check on the pupil today (KCSIE: children missing education)."""

    UNCONFIRMED = "unconfirmed"
    ABSENT_WITHOUT_REASON = "absent_without_reason"
    PART_TIME_TIMETABLE = "part_time_timetable"  # 9.6: no on-site session today under a part-time timetable

    @property
    def label(self) -> str:
        return {WelfareCheckReason.UNCONFIRMED: "Attendance still unconfirmed an hour after the cut-off",
                WelfareCheckReason.ABSENT_WITHOUT_REASON: "Absent with no reason given",
                WelfareCheckReason.PART_TIME_TIMETABLE: "No on-site session today under a part-time timetable"}[self]


def welfare_check_due(confirmed: bool, outcome: str | None, absence_reason: str | None, now: dt.datetime,
                      cutoff: dt.datetime,
                      escalate_after: dt.timedelta = WELFARE_ESCALATION) -> WelfareCheckReason | None:
    """KCSIE (unexplained absence followed up the same day), policy 4.4, 4.5: why this session needs a welfare
    check by the DSL, or None. A session still unconfirmed `escalate_after` past the cut-off needs one; so does
    an absence confirmed with no reason (none, or N), at once. The answer is truthy exactly when a check is due."""
    if not confirmed:
        return WelfareCheckReason.UNCONFIRMED if now >= cutoff + escalate_after else None
    if Outcome(outcome) is Outcome.ABSENT and (absence_reason or NO_REASON) == NO_REASON:
        return WelfareCheckReason.ABSENT_WITHOUT_REASON
    return None


# --- the attendance picture ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionMark:
    """One session's register code (None while unconfirmed)."""

    day: dt.date
    session: str  # AM or PM
    code: str | None


def attendance_percentage(records: Iterable[SessionMark]) -> float | None:
    """Policy 4.5 (monitoring attendance): sessions attended (present or attending elsewhere) as a percentage
    of possible sessions; None when there is no possible session to count (no sessions, only D, only
    unconfirmed). Unmarked sessions are left out (see the module's decisions)."""
    possible = attended = 0
    for record in records:
        if record.code is None:
            continue
        try:
            code = REGISTER_CODES[record.code]
        except KeyError:
            raise ValueError(f"{record.code!r} is not a register code") from None
        if code.is_possible:
            possible += 1
            attended += code.counts_as_attendance
    return 100 * attended / possible if possible else None


def counted_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Policy 4.5 (monitoring attendance), for counting in SQL: the register codes that are possible sessions
    and those that count as attended, exactly as `attendance_percentage` counts them one by one."""
    possible = frozenset(c for c, code in REGISTER_CODES.items() if code.is_possible)
    attended = frozenset(c for c, code in REGISTER_CODES.items() if code.counts_as_attendance)
    return possible, attended


def fixed_codes() -> dict[SessionKind, str]:
    """Policy 9.6 and section 10, for counting in SQL: the code a session of each kind has whatever is stored
    (C2 for a part-time timetable, C for flexi-schooling at home); a provision session has its own."""
    return dict(_FIXED_CODE)


def percentage_from_counts(attended: int, possible: int) -> float | None:
    """Policy 4.5: `attendance_percentage` from the counts of attended and possible sessions (None without a
    possible session)."""
    return 100 * attended / possible if possible else None


def persistently_absent(percentage: float | None, threshold: float = PERSISTENT_ABSENCE_THRESHOLD) -> bool:
    """Policy 4.5 (monitoring attendance): whether attendance is below the persistent-absence threshold, so the
    school and trust views list the pupil. No possible session yet (None) is not low attendance; exactly the
    threshold is not below it."""
    return percentage is not None and percentage < threshold


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week the day is in."""
    return day - dt.timedelta(days=day.weekday())


def attendance_by_week(records: Iterable[SessionMark]) -> dict[dt.date, float | None]:
    """Policy 4.5: the attendance percentage of each week with sessions, keyed by its Monday, in order."""
    weeks: dict[dt.date, list[SessionMark]] = {}
    for record in records:
        weeks.setdefault(week_of(record.day), []).append(record)
    return {monday: attendance_percentage(weeks[monday]) for monday in sorted(weeks)}


def attendance_by_half_term(records: Iterable[SessionMark],
                            calendar: SchoolCalendar) -> dict[HalfTermDates, float | None]:
    """Policy 4.5: the attendance percentage of each of the school's half-terms with sessions, in order.
    A session outside every half-term (entered on a day that was then taken out of the calendar) is left out."""
    halves: dict[HalfTermDates, list[SessionMark]] = {}
    for record in records:
        half_term = calendar.half_term_for(record.day)
        if half_term is not None:
            halves.setdefault(half_term, []).append(record)
    return {h: attendance_percentage(halves[h]) for h in sorted(halves, key=lambda h: h.first_day)}
