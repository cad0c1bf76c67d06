"""What must be on record about the pupil before a placement starts: one function per condition, each naming its
policy section. The placements readiness gate calls them; the pupil page uses them too.

Plain facts in, no Flask or database: each argument is any object with the attributes named below (ORM rows
fit, as do the small dataclasses here), or None where nothing is recorded.

Every function returns a list of `Missing` (empty: nothing missing). `Missing.code` is stable — the gate may key
on it — and `Missing.message` is the line a person reads. The codes (`CODES`), and the record each asks for (the
page that records it is the views' business: `app/views/where_to_record.py`):

| code                              | section | recorded as                                            |
|-----------------------------------|---------|--------------------------------------------------------|
| needs_analysis                    | 4.3     | the referral (needs analysis)                          |
| needs_analysis.academic_needs     | 4.3     | the referral (and .personal_needs, .social_needs, .reasons, .options_considered) |
| risk_assessment                   | 4.3     | a pupil risk assessment                                |
| risk_assessment.after_start       | 4.3     | a pupil risk assessment                                |
| risk_assessment.review_overdue    | 4.3     | a review of the latest risk assessment (`reviews_id`)  |
| parent_consultation               | 7.4     | the parents' consultation                              |
| involvement.la_send               | 7.5     | the LA SEND team's involvement (`party`)               |
| involvement.ehcp_review_decision  | 7.5     | the LA SEND team's involvement                         |
| involvement.virtual_school_head   | 7.6     | the Virtual School Headteacher's involvement           |
| involvement.social_worker         | 7.6     | the social worker's involvement                        |
| involvement.social_worker_informed| 8.8     | the social worker's involvement                        |
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.policy.referral import unknown_reasons

# Involvement parties, as stored (app.models.pupils.InvolvementParty values): kept as strings so this module
# needs no model import.
LA_SEND = "local_authority_send"
VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
SOCIAL_WORKER = "social_worker"

REFERRAL_FIELDS = ("academic_needs", "personal_needs", "social_needs", "reasons", "options_considered")
CODES = ("needs_analysis", *(f"needs_analysis.{name}" for name in REFERRAL_FIELDS), "risk_assessment",
         "risk_assessment.after_start", "risk_assessment.review_overdue", "parent_consultation",
         "involvement.la_send", "involvement.ehcp_review_decision", "involvement.virtual_school_head",
         "involvement.social_worker", "involvement.social_worker_informed")


@dataclass(frozen=True)
class Missing:
    code: str
    section: str
    message: str
    party: str | None = None  # for involvement: which party to record
    reviews_id: int | None = None  # for an overdue risk assessment: the one to review


# --- facts (any object with these attributes will do) --------------------------------------------------------


@dataclass(frozen=True)
class ReferralFacts:
    academic_needs: str | None
    personal_needs: str | None
    social_needs: str | None
    reasons: list[str] = field(default_factory=list)
    options_considered: str | None = None


@dataclass(frozen=True)
class AssessmentFacts:
    assessed_on: dt.date
    review_due_on: dt.date
    id: int | None = None


@dataclass(frozen=True)
class ConsultationFacts:
    consulted_on: dt.date | None
    carer_views: str | None
    school_decision: str | None


@dataclass(frozen=True)
class PupilFacts:
    has_ehcp: bool = False
    is_looked_after: bool = False
    has_social_worker: bool = False


@dataclass(frozen=True)
class InvolvementFacts:
    party: str
    involved_on: dt.date | None
    ehcp_review_needed: bool | None = None


def _filled(text) -> bool:
    return bool(text and str(text).strip())


# --- 4.3 needs analysis -------------------------------------------------------------------------------------

_NEEDS_FIELDS = (
    ("academic_needs", "the pupil's academic needs"),
    ("personal_needs", "the pupil's personal needs"),
    ("social_needs", "the pupil's social needs"),
    ("options_considered", "the options considered, on-site first"),
)


def needs_analysis_missing(referral_facts) -> list[Missing]:
    """4.3 (and 7.3): an appropriate needs analysis before commissioning — academic, personal and social needs,
    at least one reason from 5.2, and the options considered. Pass the pupil's latest referral, or None."""
    if referral_facts is None:
        return [Missing("needs_analysis", "4.3", "A needs analysis (referral) for the pupil")]
    missing = [Missing(f"needs_analysis.{name}", "4.3", f"The needs analysis does not record {what}")
               for name, what in _NEEDS_FIELDS if not _filled(getattr(referral_facts, name, None))]
    reasons = list(getattr(referral_facts, "reasons", None) or [])
    if not reasons or unknown_reasons(reasons):
        missing.insert(3, Missing("needs_analysis.reasons", "4.3",
                                  "The needs analysis does not give a reason from the policy's list (5.2)"))
    return missing


# --- 4.3 individual pupil risk assessment -------------------------------------------------------------------


def latest_assessment(assessments: Iterable):
    """The assessment in force: the most recent by date (a review is a newer row), or None."""
    rows = list(assessments)
    if not rows:
        return None
    return max(rows, key=lambda a: (a.assessed_on, getattr(a, "id", 0) or 0))


def risk_assessment_missing(latest_assessment_facts, start_date: dt.date) -> list[Missing]:
    """4.3: an individual risk assessment completed before the placement commences (on or before the start
    date), and regularly reviewed: its review date must not have passed by the start date."""
    a = latest_assessment_facts
    if a is None:
        return [Missing("risk_assessment", "4.3", "An individual risk assessment for the pupil")]
    if a.assessed_on > start_date:
        return [Missing("risk_assessment.after_start", "4.3",
                        f"The risk assessment is dated {a.assessed_on:%-d %b %Y}, after the start date: "
                        "it must be completed before the placement starts")]
    if a.review_due_on < start_date:
        return [Missing("risk_assessment.review_overdue", "4.3",
                        f"The risk assessment was due for review on {a.review_due_on:%-d %b %Y}, before the start: "
                        "record a review", reviews_id=getattr(a, "id", None))]
    return []


# --- 7.4 parents and carers consulted -----------------------------------------------------------------------


def parent_consultation_missing(consultations: Iterable) -> list[Missing]:
    """7.4: parents/carers consulted on the choice of provision, their views and the school's decision recorded.
    Pass the consultations that count for this placement (about it, or about the pupil with no placement)."""
    for c in consultations:
        if c.consulted_on and _filled(c.carer_views) and _filled(c.school_decision):
            return []
    return [Missing("parent_consultation", "7.4",
                    "Parents or carers consulted on the choice of provision, with their views and the decision")]


# --- 7.5, 7.6, 8.8 involvement ------------------------------------------------------------------------------


def involvement_missing(pupil_facts, involvements: Iterable) -> list[Missing]:
    """Who must be involved, given the pupil's status:
    - EHCP (7.5): the LA (SEND) closely involved, including whether a formal EHCP review is needed so the named
      setting can change — that answer (yes or no) must be recorded;
    - looked after (7.6): the Virtual School Headteacher and the social worker closely involved;
    - an allocated social worker, not looked after (8.8, 9.6): the social worker kept informed."""
    rows = list(involvements)
    parties = {str(getattr(i.party, "value", i.party)) for i in rows if i.involved_on}
    missing: list[Missing] = []
    if pupil_facts.has_ehcp:
        if LA_SEND not in parties:
            missing.append(Missing("involvement.la_send", "7.5",
                                   "The local authority (SEND) involved in the decision, as the pupil has an EHCP",
                                   party=LA_SEND))
        elif not any(str(getattr(i.party, "value", i.party)) == LA_SEND and i.ehcp_review_needed is not None
                     for i in rows):
            missing.append(Missing("involvement.ehcp_review_decision", "7.5",
                                   "Whether a formal EHCP review is needed to change the named setting",
                                   party=LA_SEND))
    if pupil_facts.is_looked_after:
        if VIRTUAL_SCHOOL_HEAD not in parties:
            missing.append(Missing("involvement.virtual_school_head", "7.6",
                                   "The Virtual School Headteacher involved, as the pupil is looked after",
                                   party=VIRTUAL_SCHOOL_HEAD))
        if SOCIAL_WORKER not in parties:
            missing.append(Missing("involvement.social_worker", "7.6",
                                   "The pupil's social worker involved, as the pupil is looked after",
                                   party=SOCIAL_WORKER))
    elif pupil_facts.has_social_worker and SOCIAL_WORKER not in parties:
        missing.append(Missing("involvement.social_worker_informed", "8.8",
                               "The pupil's social worker informed", party=SOCIAL_WORKER))
    return missing
