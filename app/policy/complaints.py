"""Concerns and complaints about how the AP policy is applied (policy 11.1), and the stages of the complaints
procedure they go through, kept as data.

11.1: any party with a concern or complaint over the implementation of the policy raises it with a staff member
or the headteacher, in accordance with the complaints policy. The complaints policy is one of the trust's
policies (1.4), so its stages are the same in every school: they are listed here once, with how many school
days each stage normally takes, and a school's record follows them in order to an outcome.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    school_days: int  # the usual time to finish the stage, counted from its start


# The trust complaints procedure's stages, in order (policy 1.4, 11.1).
STAGES: tuple[Stage, ...] = (
    Stage("received", "Received and acknowledged", 5),
    Stage("informal", "Stage 1: resolved informally with a member of staff or the headteacher", 10),
    Stage("formal", "Stage 2: formal complaint investigated by the headteacher", 15),
    Stage("panel", "Stage 3: heard by a panel of governors", 20),
)
STAGE_CODES = tuple(s.code for s in STAGES)
STAGE_LABELS = {s.code: s.label for s in STAGES}

OUTCOMES = {
    "resolved": "Resolved",
    "upheld": "Upheld",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
    "withdrawn": "Withdrawn",
}

ABOUT_KINDS = {"pupil": "A pupil's placement or arrangements", "provider": "A provider",
               "policy": "How the policy was applied generally"}


def stage(code: str) -> Stage:
    for s in STAGES:
        if s.code == code:
            return s
    raise ValueError(f"{code!r} is not a stage of the complaints procedure")


def next_stages(current: str) -> tuple[str, ...]:
    """Policy 11.1 (the complaints procedure): a complaint moves on to a later stage, never back; stages may be
    skipped (a complainant may go straight to a formal complaint)."""
    return STAGE_CODES[STAGE_CODES.index(current) + 1:]


def may_move_to(current: str, wanted: str | None, closed: bool) -> str | None:
    """Why the complaint cannot move to `wanted` (None: it can)."""
    if closed:
        return "The complaint is closed."
    if wanted not in STAGE_CODES:
        return "Choose a stage of the complaints procedure."
    if wanted not in next_stages(current):
        return "A complaint moves on to a later stage, not back."
    return None
