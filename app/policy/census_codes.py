"""The DfE school census module "alternative provision placements arranged by schools": its items and codes, as
data. Reference facts, kept in this one place so a new census year is one edit here (issue 16 item 7).

Sources (looked up December 2026):
- DfE, "Complete the school census" guide, alternative provision placements module (collected each autumn, spring
  and summer census since spring 2023, mandatory from 2022/23), as Devon County Council's school census pages
  (devon.gov.uk, "School Census - Alternative Provision placements arranged by schools") and MIS suppliers' notes
  (Arbor, "Recording Alternative Provision placement details") relay it: the commissioning school returns every
  placement a pupil attended in the collection period; on-site provision is not returned.
- DfE, "Alternative provision census 2023: data items" (the LA's census; republished at fenews.co.uk "Data
  items"): the provider is identified by the GIAS URN; where it has none, by its UKPRN; where it has neither, by
  the AP setting type, exactly one of the three. Setting type codes NFE, OOT, OTH, WBP (below).
- DfE, Explore education statistics, "Schools, pupils and their characteristics" 2025/26, data set "School
  arranged alternative provision - by placement reason": setting types as published (Education setting with URN,
  Registered provider with UKPRN, Non-maintained further education college, One on one tuition, Other
  unregistered provider) and the placement reason "Medical condition (mental health need)".

NOT CONFIRMED: no source reachable while building this listed the primary-reason codeset in full. The reason
codes below other than the mental-health label follow the census's published categories as best known and MUST be
checked against the current year's "Complete the school census" guide before a live return (`REASONS_CONFIRMED`).
"""
from __future__ import annotations

from dataclasses import dataclass

CENSUS_GUIDE = "DfE, Complete the school census: alternative provision placements (2025 to 2026)"
REASONS_CONFIRMED = False  # set True once the reason codes are checked against the current guide

URN_DIGITS = 6  # GIAS unique reference number
UKPRN_DIGITS = 8  # UK register of learning providers number, starts with 1
SESSIONS_PER_WEEK_MAX = 10  # a morning and an afternoon session on each of five days


@dataclass(frozen=True)
class Code:
    code: str
    label: str


# AP setting type: returned only when the provider has neither a URN nor a UKPRN.
SETTING_TYPES: tuple[Code, ...] = (
    Code("NFE", "Non-maintained further education college"),
    Code("OOT", "One on one tuition"),
    Code("OTH", "Other unregistered provider"),
    Code("WBP", "Work based placement"),
)
SETTING_TYPE_LABELS: dict[str, str] = {c.code: c.label for c in SETTING_TYPES}

# Primary reason for placement: why the placement was commissioned, not what the pupil needs.
REASONS: tuple[Code, ...] = (
    Code("OSD", "Off-site direction to improve behaviour"),
    Code("SUS", "Suspension (education from the sixth day)"),
    Code("PHN", "Medical condition (physical health need)"),
    Code("MHN", "Medical condition (mental health need)"),
    Code("SEM", "Social, emotional and mental health needs"),
    Code("SEN", "Special educational needs (other than SEMH)"),
    Code("BEH", "Behaviour (at risk of permanent exclusion)"),
    Code("OTH", "Other"),
)
REASON_LABELS: dict[str, str] = {c.code: c.label for c in REASONS}

# The trust policy's reasons (5.2, app.policy.referral) that say which census reason they are. The others
# (curriculum, personalisation, "other") do not: the school chooses the census reason for the placement.
REASON_FROM_REFERRAL: dict[str, str] = {
    "risk_of_permanent_exclusion": "BEH",
    "mainstream_demands": "SEM",
    "ehcp_requirements": "SEN",
}
OFF_SITE_DIRECTION_REASON = "OSD"

# The CSV's columns, in the census module's order (pupil identifiers first, as the MIS asks for them).
CSV_COLUMNS: tuple[str, ...] = (
    "UPN", "Surname", "Forename", "Date of birth", "URN", "UKPRN", "AP setting type", "Entry date",
    "Leaving date", "Primary reason for placement", "Sessions per week",
)
