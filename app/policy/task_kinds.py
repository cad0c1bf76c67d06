"""The kinds of task: who does each by default, whether it is urgent, when to remind before it is due and whom
to tell, level by level, once it is overdue; and the rules of timing (plain functions: given facts, they answer).

Each kind names its policy section (`KindRules.policy`): 4.4, 4.5 (attendance, welfare checks), 7.8, 7.9
(provider checks, suspension, concerns), 8.1, 8.3, 8.6 (QA visits, reviews, follow-up actions) and design
invariant 6 (one calendar). No Flask, no database: `app.services.tasks` makes and completes the tasks,
`app.services.task_notices` tells people.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import clock
from app.policy.reviews import review_reminder_and_escalation
from app.roles import SchoolRoleName, TrustRoleName

# A task due "on" a day is due by the end of that school day.
END_OF_SCHOOL_DAY = time(17, 0)
# A reminder or escalation "on" a school day (a policy rule's date) goes from the first reminder sweep of that day.
START_OF_SCHOOL_DAY = time(7, 0)


class TaskKind(enum.StrEnum):
    CALENDAR_NEEDED = "calendar_needed"  # enter next half-term's dates (one calendar, design invariant 6)
    ATTENDANCE_UNCONFIRMED = "attendance_unconfirmed"  # 4.5
    WELFARE_CHECK = "welfare_check"  # 4.4, 4.5: children missing education
    HALF_TERMLY_REVIEW = "half_termly_review"  # 8.3
    PROVIDER_CHECK_EXPIRING = "provider_check_expiring"  # 7.9
    FOLLOW_UP_ACTION = "follow_up_action"  # 8.6: an action agreed at a QA visit, owned by a person
    PROVIDER_SUSPENDED = "provider_suspended"  # review the placements at a suspended provider; lifting completes it
    PROVIDER_CONCERN = "provider_concern"  # follow up a concern about a provider; resolving it completes it
    QA_VISIT_DUE = "qa_visit_due"  # 8.1, 8.3: visit a provider at the frequency set when commissioning
    COMPLAINT = "complaint"  # 11.1: a concern or complaint about how the policy was applied
    PART_TIME_REVIEW = "part_time_review"  # 9.6: review a part-time timetable on its agreed date
    PART_TIME_SIX_WEEKS = "part_time_six_weeks"  # issue 15: a part-time timetable running past six weeks
    SUBJECT_ACCESS_REQUEST = "subject_access_request"  # UK GDPR art. 12(3): answer within one month
    FLEXI_SCHOOLING_REVIEW = "flexi_schooling_review"  # 10.6: review a flexi-schooling agreement each term


@dataclass(frozen=True)
class Escalation:
    """Once a task is this far overdue, tell this role (and, for a school role, show it the task)."""

    to: SchoolRoleName | TrustRoleName
    after: timedelta = timedelta(0)
    school_days: int = 0  # counted on the school's calendar from the due date, before `after` is added


@dataclass(frozen=True)
class KindRules:
    label: str
    role: SchoolRoleName  # who does it when the caller names nobody
    urgent: bool = False
    remind_before: timedelta | None = None  # one reminder email this long before it is due
    escalation: tuple[Escalation, ...] = ()
    # True when nothing elsewhere in AP Hub completes it: the inbox offers "Mark done".
    done_in_inbox: bool = False
    policy: str = ""
    # When a policy rule gives the reminder and escalation days (school days that are not fixed offsets):
    # (due day, creation day, the school's calendar) -> (reminder day or None, one day per escalation level).
    # `escalation` still names who is told at each level; its offsets stand in where the calendar runs out.
    policy_dates: Callable | None = None


def _review_dates(due_on: date, created_on: date, calendar) -> tuple[date | None, tuple[date, ...]]:
    dates = review_reminder_and_escalation(due_on, calendar, created_on)
    return dates.remind_on, tuple(step.on for step in dates.escalations)


R, T = SchoolRoleName, TrustRoleName

TASK_KINDS: dict[TaskKind, KindRules] = {
    TaskKind.CALENDAR_NEEDED: KindRules(
        "Enter the school's term dates", R.AP_LEADER, remind_before=timedelta(days=3),
        escalation=(Escalation(R.HEADTEACHER), Escalation(T.DESIGNATED_TRUSTEE, school_days=5)),
        policy="design invariant 6: one calendar"),
    TaskKind.ATTENDANCE_UNCONFIRMED: KindRules(
        "Confirm today's attendance with the provider", R.ATTENDANCE_OFFICER, urgent=True,
        # No escalation of its own: an hour past the cut-off the welfare rule gives the DSL a WELFARE_CHECK task
        # for the same session, which escalates to the headteacher and the trust safeguarding lead. Escalating
        # this prompt to the DSL as well would tell them twice about one session.
        escalation=(), policy="4.5"),
    TaskKind.WELFARE_CHECK: KindRules(
        "Make a welfare check", R.DSL, urgent=True,
        escalation=(Escalation(R.HEADTEACHER, after=timedelta(hours=1)),
                    Escalation(T.TRUST_SAFEGUARDING_LEAD, after=timedelta(hours=3))),
        policy="4.4, 4.5"),
    TaskKind.HALF_TERMLY_REVIEW: KindRules(
        "Hold the half-termly review with the pupil and parents", R.AP_LEADER,
        escalation=(Escalation(R.HEADTEACHER, school_days=1), Escalation(T.TRUST_SAFEGUARDING_LEAD, school_days=5)),
        policy="8.3", policy_dates=_review_dates),
    TaskKind.PROVIDER_CHECK_EXPIRING: KindRules(
        "Renew the provider's pre-placement checks", R.AP_LEADER, remind_before=timedelta(days=14),
        escalation=(Escalation(R.HEADTEACHER),), policy="7.9"),
    TaskKind.FOLLOW_UP_ACTION: KindRules(
        "Complete the agreed follow-up action", R.AP_LEADER, remind_before=timedelta(days=2),
        escalation=(Escalation(R.HEADTEACHER),), done_in_inbox=True, policy="8.6"),
    TaskKind.PROVIDER_SUSPENDED: KindRules(
        "Review the placements at a suspended provider", R.AP_LEADER, urgent=True,
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="7.8, 7.9: a suspended provider"),
    TaskKind.PROVIDER_CONCERN: KindRules(
        "Follow up a concern about a provider", R.DSL,
        escalation=(Escalation(R.HEADTEACHER),), policy="7.8: concerns about a provider"),
    TaskKind.QA_VISIT_DUE: KindRules(
        "Make the quality-assurance visit to the provider", R.AP_LEADER, remind_before=timedelta(days=5),
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="8.1, 8.3"),
    TaskKind.COMPLAINT: KindRules(
        "Respond to a complaint about how the AP policy was applied", R.HEADTEACHER,
        remind_before=timedelta(days=2), policy="11.1"),
    TaskKind.PART_TIME_REVIEW: KindRules(
        "Review the part-time timetable with the pupil and parents", R.AP_LEADER, remind_before=timedelta(days=2),
        escalation=(Escalation(R.HEADTEACHER, school_days=1),), policy="9.6"),
    TaskKind.PART_TIME_SIX_WEEKS: KindRules(
        "A part-time timetable runs past six weeks: consider the return to full time", R.HEADTEACHER,
        done_in_inbox=True, policy="9.6"),
    TaskKind.SUBJECT_ACCESS_REQUEST: KindRules(
        "Answer the subject access request", R.DSL, remind_before=timedelta(days=7),
        escalation=(Escalation(R.HEADTEACHER),), policy="UK GDPR Article 12(3): within one month of receipt"),
    TaskKind.FLEXI_SCHOOLING_REVIEW: KindRules(
        "Review the flexi-schooling agreement this term", R.HEADTEACHER, remind_before=timedelta(days=14),
        escalation=(Escalation(T.TRUST_SAFEGUARDING_LEAD, school_days=5),), policy="10.6"),
}

# The longest reminder lead: the reminder sweep looks no further ahead than this.
LONGEST_REMINDER_LEAD = max((r.remind_before for r in TASK_KINDS.values() if r.remind_before), default=timedelta(0))


def rules_for(kind: TaskKind | str) -> KindRules:
    return TASK_KINDS[TaskKind(kind)]


# --- rules of timing (plain functions: given facts, they answer) -------------------------------------------


def reminder_due(rules: KindRules, due_at: datetime, created_at: datetime, now: datetime) -> bool:
    """One reminder at the kind's lead time before the task is due. A task made inside that lead time has just
    been announced by its own email, so it gets no reminder as well."""
    if rules.remind_before is None or now >= due_at:
        return False
    remind_at = due_at - rules.remind_before
    return created_at < remind_at <= now


def reminder_time(rules: KindRules, due_at: datetime, created_at: datetime) -> datetime | None:
    """When the one reminder falls due, or None when there is none (no lead time for the kind, or the task
    was made inside it: its own email has just announced it)."""
    if rules.remind_before is None:
        return None
    remind_at = due_at - rules.remind_before
    return remind_at if created_at < remind_at else None


def escalation_due_at(step: Escalation, due_at: datetime, nth_school_day_after=None) -> datetime:
    """When a task due at `due_at` reaches this escalation step. School days are counted on the school's own
    calendar (a task due before half-term is not "5 school days overdue" during the holiday)."""
    at = due_at
    if step.school_days:
        local_due = clock.to_local(due_at)
        day = _school_days_after(local_due.date(), step.school_days, nth_school_day_after)
        at = clock.local_datetime(day, local_due.time())
    return at + step.after


def policy_times(rules: KindRules, due_at: datetime, created_at: datetime,
                 calendar) -> tuple[datetime | None, tuple[datetime, ...]] | None:
    """For a kind with `policy_dates`: when its one reminder goes and when each escalation level falls due, from
    the start of the policy's school days. None for other kinds, or when the school's calendar does not reach
    the dates (the kind's fixed offsets then stand in)."""
    if rules.policy_dates is None or calendar is None:
        return None
    try:
        remind_on, levels = rules.policy_dates(clock.to_local(due_at).date(), clock.to_local(created_at).date(),
                                               calendar)
    except LookupError:  # CalendarNotEntered
        return None
    remind_at = clock.local_datetime(remind_on, START_OF_SCHOOL_DAY) if remind_on else None
    return remind_at, tuple(clock.local_datetime(day, START_OF_SCHOOL_DAY) for day in levels)


def next_escalation(rules: KindRules, level: int, due_at: datetime, now: datetime,
                    nth_school_day_after=None) -> Escalation | None:
    """The next step of the kind's chain if it is due now; one level at a time, never the same level twice."""
    if level >= len(rules.escalation):
        return None
    step = rules.escalation[level]
    return step if now >= escalation_due_at(step, due_at, nth_school_day_after) else None


def _school_days_after(day: date, n: int, nth_school_day_after) -> date:
    if nth_school_day_after is not None:
        try:
            return nth_school_day_after(day, n)
        except LookupError:  # the school's calendar does not reach that far: count weekdays instead
            pass
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day
