"""The school census's AP placements module (issue 16 item 7; policy 4.2, 5.2, 7.12): which placements a school
returns for a census period, each row's items, and what a school must fix before it downloads the return.

Plain rules over facts (no Flask, no database: app.services.census gathers them). The codes and their sources
are in app.policy.census_codes.

Decisions, in one place:
- Returned: placements the school arranged (`arranged_by` school) at an off-site or online provider that had
  started and overlapped the period. On-site provision is not AP for the census and is not returned; placements
  still being planned or cancelled before they started never happened.
- The provider is identified by exactly one item: its URN, else its UKPRN, else the AP setting type.
- The primary reason is the one the school chose for the census, else "off-site direction" for a placement under
  a direction (section 6), else the first of the referral's 5.2 reasons that says which census reason it is.
- Sessions per week are the AM and PM sessions of the placement's weekly pattern (at most ten).
- The leaving date is returned when the placement ended on or before the period's last day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.policy.census_codes import (
    OFF_SITE_DIRECTION_REASON,
    REASON_FROM_REFERRAL,
    REASON_LABELS,
    SESSIONS_PER_WEEK_MAX,
    SETTING_TYPE_LABELS,
    UKPRN_DIGITS,
    URN_DIGITS,
)

RETURNED_KINDS = frozenset({"off_site", "online_only"})
STARTED_STATUSES = frozenset({"active", "ended"})


@dataclass(frozen=True)
class CensusFacts:
    """One placement as the census sees it."""

    status: str
    arranged_by: str
    provider_kind: str
    start_date: dt.date
    ended_on: dt.date | None
    provider_urn: str | None
    provider_ukprn: str | None
    provider_setting_type: str | None
    chosen_reason: str | None
    off_site_direction: bool
    referral_reasons: tuple[str, ...]
    sessions_per_week: int


@dataclass(frozen=True)
class Missing:
    """An item the school must fix before the return: `item` says which (the page links each to where it is fixed)."""

    item: str
    message: str


def is_returned(facts: CensusFacts, first_day: dt.date, last_day: dt.date) -> bool:
    """Census scope: a school-arranged, started, off-site placement that overlapped the period."""
    return (facts.arranged_by == "school" and facts.provider_kind in RETURNED_KINDS
            and facts.status in STARTED_STATUSES and facts.start_date <= last_day
            and (facts.ended_on is None or facts.ended_on >= first_day))


def _digits(value: str | None, n: int) -> bool:
    return value is not None and len(value) == n and value.isdigit()


def provider_items(urn: str | None, ukprn: str | None, setting_type: str | None) -> tuple[str, str, str]:
    """(URN, UKPRN, AP setting type) as returned: exactly one filled, in that order of preference."""
    if urn:
        return urn, "", ""
    if ukprn:
        return "", ukprn, ""
    return "", "", setting_type or ""


def primary_reason(chosen: str | None, off_site_direction: bool, referral_reasons) -> str | None:
    if chosen:
        return chosen
    if off_site_direction:
        return OFF_SITE_DIRECTION_REASON
    return next((REASON_FROM_REFERRAL[r] for r in referral_reasons if r in REASON_FROM_REFERRAL), None)


def leaving_date(ended_on: dt.date | None, last_day: dt.date) -> dt.date | None:
    return ended_on if ended_on is not None and ended_on <= last_day else None


def provider_missing(facts: CensusFacts) -> list[Missing]:
    urn, ukprn, setting = provider_items(facts.provider_urn, facts.provider_ukprn, facts.provider_setting_type)
    if urn and not _digits(urn, URN_DIGITS):
        return [Missing("provider", f"The provider's URN must be {URN_DIGITS} digits.")]
    if ukprn and not (_digits(ukprn, UKPRN_DIGITS) and ukprn.startswith("1")):
        return [Missing("provider", f"The provider's UKPRN must be {UKPRN_DIGITS} digits starting with 1.")]
    if not (urn or ukprn or setting):
        return [Missing("provider", "The provider has no URN, UKPRN or AP setting type.")]
    if setting and setting not in SETTING_TYPE_LABELS:
        return [Missing("provider", "The provider's AP setting type is not a census code.")]
    return []


def reason_missing(facts: CensusFacts) -> list[Missing]:
    reason = primary_reason(facts.chosen_reason, facts.off_site_direction, facts.referral_reasons)
    if reason is None:
        return [Missing("reason", "Choose the primary reason for the placement: its referral's reasons do not "
                                  "say which census reason it is.")]
    if reason not in REASON_LABELS:
        return [Missing("reason", "The primary reason is not a census code.")]
    return []


def sessions_missing(facts: CensusFacts) -> list[Missing]:
    if facts.sessions_per_week < 1:
        return [Missing("sessions", "The placement has no weekly pattern: add its sessions.")]
    if facts.sessions_per_week > SESSIONS_PER_WEEK_MAX:
        return [Missing("sessions", f"The weekly pattern has more than {SESSIONS_PER_WEEK_MAX} sessions.")]
    return []


CHECKS = (provider_missing, reason_missing, sessions_missing)


def missing_items(facts: CensusFacts) -> list[Missing]:
    """Everything to fix before this placement's row can be returned, in the page's order."""
    return [m for check in CHECKS for m in check(facts)]
