"""What must follow a welfare check (KCSIE: children missing education; policy 4.4, 4.5; issue 6 item 6).

A pupil in alternative provision stays the school's pupil and the school stays responsible for their safety
(KCSIE). When a pupil due at a provider is not known to be there, the DSL checks on them the same day by a call,
an online meeting or a home visit (the methods of policy 9.6's "additional safety and welfare checks"), and
records the outcome. What each outcome sets going is decided here, once:

- seen and safe: the check is done;
- reason obtained: the check is done, and the absence reason may be entered on the session's register mark
  (policy 4.5: the attendance records are accurate daily);
- not located: the DSL's missing-child procedure starts (policy 4.4: act in line with the school's safeguarding
  policy), the trust safeguarding lead is told at once, and an urgent follow-up task stays open, escalating, until
  the pupil is found.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SEEN_AND_SAFE, REASON_OBTAINED, NOT_LOCATED = "seen_and_safe", "reason_obtained", "not_located"
OUTCOMES = {
    SEEN_AND_SAFE: "Pupil seen and safe",
    REASON_OBTAINED: "Reason for the absence obtained",
    NOT_LOCATED: "Pupil not located",
}
METHODS = {"call": "Telephone call", "online_meeting": "Online meeting", "home_visit": "Home visit"}

# KCSIE (children missing education) and policy 4.4: what the DSL does when a pupil cannot be located. The
# school's own safeguarding policy governs; these are the steps every such policy shares, shown as a checklist.
MISSING_CHILD_STEPS: tuple[str, ...] = (
    "If you believe the pupil is in immediate danger or at risk of significant harm, call the police on 999 now.",
    "Keep trying the parents or carers and every emergency contact; ask the provider who last saw the pupil, "
    "when and where.",
    "Act in line with the school's safeguarding policy (policy 4.4): record the concern, each attempt and each "
    "decision, with the time.",
    "Tell the local authority's children missing education officer the same day; for a looked-after pupil, the "
    "Virtual School and the social worker; for a pupil with a social worker, that social worker.",
    "Refer to children's social care if there is any safeguarding concern; report the pupil missing to the police "
    "if they are still not located.",
    "The trust safeguarding lead has been told by AP Hub: keep them updated until the pupil is found, then record "
    "the outcome here.",
)


@dataclass(frozen=True)
class WhatFollows:
    """What recording an outcome sets going."""

    completes_check: bool  # the DSL's welfare-check task is done
    may_set_absence_reason: bool  # the absence reason may go on the session's register mark
    missing_child_procedure: bool  # the steps above are shown and the start is recorded
    tell_trust_safeguarding_lead: bool  # at once, by email
    follow_up_task: bool  # an urgent task that escalates until the pupil is located
    steps: tuple[str, ...] = ()


def what_follows(outcome: str) -> WhatFollows:
    """KCSIE, policy 4.4, 4.5: what must follow each outcome of a welfare check (see the module's docstring)."""
    if outcome == SEEN_AND_SAFE:
        return WhatFollows(True, False, False, False, False)
    if outcome == REASON_OBTAINED:
        return WhatFollows(True, True, False, False, False)
    if outcome == NOT_LOCATED:
        return WhatFollows(True, False, True, True, True, MISSING_CHILD_STEPS)
    raise ValueError(f"{outcome!r} is not an outcome of a welfare check")


def may_record(previous_outcome: str | None) -> bool:
    """A check is recorded once; a pupil not located is recorded again when found (the trail keeps both)."""
    return previous_outcome in (None, NOT_LOCATED)


def record_errors(method: str | None, outcome: str | None, notes: str | None, checked_at: dt.datetime | None,
                  raised_at: dt.datetime, now: dt.datetime, previous_outcome: str | None = None) -> dict[str, str]:
    """The problems with a welfare check's record, by field (empty when it can be recorded)."""
    errors: dict[str, str] = {}
    if method not in METHODS:
        errors["method"] = "Choose how the check was made: a call, an online meeting or a home visit."
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose the outcome: seen and safe, reason obtained, or not located."
    elif previous_outcome == NOT_LOCATED and outcome == NOT_LOCATED:
        errors["outcome"] = "The pupil is already recorded as not located: record the outcome once they are found."
    elif outcome == NOT_LOCATED and not (notes or "").strip():
        errors["notes"] = "Say what was tried and who was contacted when the pupil is not located."
    if notes and len(notes) > 5000:
        errors["notes"] = "Keep the notes to 5,000 characters."
    if checked_at is None:
        errors["checked_at"] = "Enter when the check was made."
    elif checked_at > now + dt.timedelta(minutes=5):
        errors["checked_at"] = "The check cannot be in the future."
    elif checked_at < raised_at - dt.timedelta(days=1):
        errors["checked_at"] = "The check cannot be more than a day before it was raised."
    return errors
