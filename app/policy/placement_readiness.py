"""The readiness gate: a placement cannot start until every condition holds (issue 5, item 7).

One plain function per condition, each naming its policy section. Each takes a `PlacementFacts` (no Flask, no
database: `app.services.placements.placement_facts` gathers them) and returns the `Missing` lines it finds
(an empty list when the condition holds). `readiness(facts)` runs them all, in the order the placement page
shows them. A `Missing` names its condition, the policy section, one plain-English line and, where the page that
records it needs more than the placement, its details (the party to involve, the risk assessment to review). Which
page records each condition is the views' business: `app/views/where_to_record.py`.

Decisions, in one place:
- On-site provision (the school's own room, 5.3) needs no pre-placement provider checks (7.8 speaks of
  off-site placements) and no commissioning agreement (7.11 is with "each external provider").
- Exam arrangements are "if appropriate" (7.11): required for Years 10 and 11, when external examinations are
  taken; optional otherwise.
- Reviews at least half-termly (8.3): the agreement's review interval is at most 6 weeks, the shortest usual
  half-term.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Provider vetting states (app.policy.provider_vetting.VettingStatus values) that let a placement start.
VETTING_OK = frozenset({"vetted", "expiring"})
MAX_REVIEW_INTERVAL_WEEKS = 6  # 8.3: formal reviews at least half-termly
EXAM_YEARS = frozenset({10, 11})  # 7.11: exam arrangements "if appropriate"

ON_SITE, OFF_SITE, ONLINE_ONLY = "on_site", "off_site", "online_only"


@dataclass(frozen=True)
class Missing:
    condition: str
    section: str
    line: str
    detail: dict = field(default_factory=dict)  # e.g. {"party": "social_worker"}, {"reviews": <assessment id>}


@dataclass(frozen=True)
class AgreementFacts:
    """The 7.11 fields of the commissioning agreement, as stored (None or blank when not written)."""

    aims_and_outcomes: str | None = None
    curriculum_and_qualifications: str | None = None
    personal_development: str | None = None
    careers_guidance: str | None = None
    induction: str | None = None
    pastoral_arrangements: str | None = None
    attendance_arrangements: str | None = None
    safeguarding_arrangements: str | None = None
    free_school_meals_arrangements: str | None = None
    exam_arrangements: str | None = None
    communication_arrangements: str | None = None
    cost_amount: object | None = None
    cost_unit: str | None = None
    review_arrangements: str | None = None
    review_every_weeks: int | None = None
    agreed_on: dt.date | None = None


@dataclass(frozen=True)
class DirectionFacts:
    """An off-site direction's facts (section 6)."""

    governing_body_approved_on: dt.date | None = None
    review_on: dt.date | None = None
    ends_by: dt.date | None = None
    parents_letter_sent_on: dt.date | None = None
    latest_letter_date: dt.date | None = None  # None: the calendar does not reach back far enough


@dataclass(frozen=True)
class PlacementFacts:
    placement_id: int
    pupil_id: int
    start_date: dt.date
    today: dt.date
    # the provider (7.2, 7.3, 7.8, 7.9)
    provider_id: int
    provider_kind: str
    provider_vetting: str | None  # a VettingStatus value; None when not known
    provider_suspended: bool = False
    registration_breach: bool = False  # placement_would_breach said this placement would break 7.2
    online_justification: str | None = None
    # before commissioning, from app.policy.pre_placement (each a list of what is missing)
    needs_analysis_missing: Sequence = ()
    risk_assessment_missing: Sequence = ()
    parent_consultation_missing: Sequence = ()
    involvement_missing: Sequence = ()
    # the pupil
    pupil_has_sen: bool = False  # EHCP or SEN support
    pupil_fsm_eligible: bool = False
    pupil_year_group: int | None = None
    # 7.10
    key_information_shared_on: dt.date | None = None
    # 7.11
    agreement: AgreementFacts | None = None
    weekly_session_count: int = 0
    # section 6
    is_off_site_direction: bool = False
    direction: DirectionFacts | None = None

    @property
    def is_on_site(self) -> bool:
        return self.provider_kind == ON_SITE


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(item) -> str:
    """A pre-placement rule's item as a line: its `line`/`message` if it has one, else the item itself."""
    for attr in ("line", "message", "label"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return value
    return str(item)


# --- the provider --------------------------------------------------------------------------------------------


def provider_vetted(facts: PlacementFacts) -> list[Missing]:
    """7.8, 7.9: pre-placement checks complete and a risk assessment approved within 12 months, with no
    material change since. On-site provision is the school's own and is not vetted as a provider."""
    if facts.is_on_site or facts.provider_suspended or facts.provider_vetting in VETTING_OK:
        return []
    reason = {
        "expired": "its vetting has expired (checks are renewed every 12 months)",
        "lapsed_material_change": "its vetting lapsed on a material change and needs a new risk assessment",
    }.get(facts.provider_vetting or "", "its pre-placement checks and risk assessment are not complete")
    return [Missing("provider_vetted", "7.8, 7.9", f"The provider is not vetted: {reason}.")]


def provider_not_suspended(facts: PlacementFacts) -> list[Missing]:
    """7.9: a suspended provider takes no new placements."""
    if not facts.provider_suspended:
        return []
    return [Missing("provider_not_suspended", "7.9", "The provider is suspended and takes no new placements.")]


def registration_rule(facts: PlacementFacts) -> list[Missing]:
    """7.2: the school will not use a provider that should be registered as an independent school and is not."""
    if not facts.registration_breach:
        return []
    return [Missing("registration_rule", "7.2",
                    "This placement would make the provider full-time for pupils it may only teach as a "
                    "registered independent school: reduce the hours or choose another provider.")]


def online_justification(facts: PlacementFacts) -> list[Missing]:
    """7.3: an online-only provider only where there is no appropriate alternative, and why is recorded."""
    if facts.provider_kind != ONLINE_ONLY or not _blank(facts.online_justification):
        return []
    return [Missing("online_justification", "7.3",
                    "Record why there is no appropriate alternative to an online-only provider.")]


# --- before commissioning (the pupils' records) --------------------------------------------------------------


def needs_analysis(facts: PlacementFacts) -> list[Missing]:
    """4.3: a needs analysis before commissioning."""
    if not facts.needs_analysis_missing:
        return []
    details = "; ".join(_text(i) for i in facts.needs_analysis_missing)
    return [Missing("needs_analysis", "4.3", f"Complete the needs analysis (referral): {details}.")]


def pupil_risk_assessment(facts: PlacementFacts) -> list[Missing]:
    """4.3: an individual pupil risk assessment completed before the placement starts."""
    if not facts.risk_assessment_missing:
        return []
    details = "; ".join(_text(i) for i in facts.risk_assessment_missing)
    reviews = next((getattr(i, "reviews_id", None) for i in facts.risk_assessment_missing
                    if getattr(i, "reviews_id", None)), None)
    extra = {"reviews": reviews} if reviews else {}
    return [Missing("pupil_risk_assessment", "4.3", f"Complete the pupil's risk assessment: {details}.",
                    extra)]


def parents_consulted(facts: PlacementFacts) -> list[Missing]:
    """7.4: parents and carers consulted on the choice of provision."""
    if not facts.parent_consultation_missing:
        return []
    details = "; ".join(_text(i) for i in facts.parent_consultation_missing)
    return [Missing("parents_consulted", "7.4", f"Consult the parents or carers: {details}.")]


def involvement(facts: PlacementFacts) -> list[Missing]:
    """7.5, 7.6: the LA for a pupil with an EHCP; the Virtual School Headteacher and social worker for a
    looked-after pupil. One line per party still to involve."""
    lines = []
    for item in facts.involvement_missing:
        party = getattr(item, "party", None)
        party = getattr(party, "value", party)
        section = getattr(item, "section", None) or ("7.5" if party == "local_authority_send" else "7.5, 7.6")
        extra = {"party": party} if party else {}
        lines.append(Missing("involvement", section, _text(item), extra))
    return lines


# --- the placement itself ------------------------------------------------------------------------------------


def key_information_shared(facts: PlacementFacts) -> list[Missing]:
    """7.10: key details about the pupil, special educational needs included, shared with the provision."""
    if facts.key_information_shared_on is not None:
        return []
    what = "Share the pupil's key information, including their special educational needs, with the provider." \
        if facts.pupil_has_sen else "Share the pupil's key information with the provider."
    return [Missing("key_information_shared", "7.10", what)]


# The 7.11 fields every agreement needs, in the policy's order, with the words the placement page uses.
AGREEMENT_FIELDS = (
    ("aims_and_outcomes", "aims and planned outcomes"),
    ("curriculum_and_qualifications", "curriculum and qualifications"),
    ("personal_development", "personal development"),
    ("careers_guidance", "careers information, advice and guidance"),
    ("induction", "induction"),
    ("pastoral_arrangements", "pastoral care"),
    ("attendance_arrangements", "attendance arrangements"),
    ("safeguarding_arrangements", "safeguarding (including safer recruitment)"),
    ("free_school_meals_arrangements", "free school meals"),
    ("exam_arrangements", "external examinations and assessments"),
    ("communication_arrangements", "communication with school and parents"),
    ("cost_amount", "cost"),
    ("cost_unit", "what the cost is per"),
    ("review_arrangements", "how and with whom it is reviewed"),
    ("review_every_weeks", "how often it is reviewed"),
    ("agreed_on", "the date it was agreed"),
)


def agreement_fields_required(fsm_eligible: bool, year_group: int | None) -> list[str]:
    """7.11: free school meals only when the pupil is eligible; exams "if appropriate" (Years 10 and 11)."""
    required = []
    for name, _label in AGREEMENT_FIELDS:
        if name == "free_school_meals_arrangements" and not fsm_eligible:
            continue
        if name == "exam_arrangements" and year_group not in EXAM_YEARS:
            continue
        required.append(name)
    return required


def commissioning_agreement(facts: PlacementFacts) -> list[Missing]:
    """7.11: a commissioning agreement with each external provider, every required field written."""
    if facts.is_on_site:
        return []
    if facts.agreement is None:
        return [Missing("commissioning_agreement", "7.11", "Write the commissioning agreement with the provider.")]
    labels = dict(AGREEMENT_FIELDS)
    gaps = [labels[name] for name in agreement_fields_required(facts.pupil_fsm_eligible, facts.pupil_year_group)
            if _blank(getattr(facts.agreement, name))]
    if not gaps:
        return []
    return [Missing("commissioning_agreement", "7.11", f"The agreement does not yet say: {', '.join(gaps)}.")]


def review_interval_problem(weeks: int | None, provider_kind: str) -> str | None:
    """8.3: formal reviews at least half-termly, so an off-site placement's agreed interval is at most a
    half-term. Why `weeks` is refused, or None. The agreement form asks it on the field (issue 14 item 4), and
    the readiness gate below asks it of what was saved before."""
    if str(provider_kind) == ON_SITE or weeks is None or weeks <= MAX_REVIEW_INTERVAL_WEEKS:
        return None
    return (f"Reviews every {weeks} weeks are too far apart: formal reviews are at least half-termly "
            f"(every {MAX_REVIEW_INTERVAL_WEEKS} weeks at most).")


def review_frequency(facts: PlacementFacts) -> list[Missing]:
    """8.3: formal reviews at least half-termly, so the agreed interval is at most a half-term."""
    weeks = facts.agreement.review_every_weeks if facts.agreement else None
    problem = review_interval_problem(weeks, facts.provider_kind)
    if problem is None:
        return []
    return [Missing("review_frequency", "8.3", problem)]


def weekly_pattern(facts: PlacementFacts) -> list[Missing]:
    """7.11: the days and times the pupil attends (at least one weekly session)."""
    if facts.weekly_session_count > 0:
        return []
    return [Missing("weekly_pattern", "7.11", "Set the days and times the pupil attends (the weekly pattern).")]


# --- off-site direction (section 6) --------------------------------------------------------------------------


def direction_recorded(facts: PlacementFacts) -> list[Missing]:
    """6.1, 6.2: a direction's reasons and objectives, review date and maximum end are recorded."""
    if not facts.is_off_site_direction:
        return []
    d = facts.direction
    if d is None:
        return [Missing("direction_recorded", "6.2",
                        "Record the off-site direction: reasons and objectives, review date and latest end date.")]
    if d.review_on is None or d.ends_by is None:
        return [Missing("direction_recorded", "6.2", "Set the direction's review date and latest end date.")]
    if not (facts.start_date <= d.review_on <= d.ends_by) or d.ends_by <= facts.start_date:
        return [Missing("direction_recorded", "6.2",
                        "The direction's review must fall between its start and its end, and it must end after "
                        "it starts.")]
    return []


def governing_body_approval(facts: PlacementFacts) -> list[Missing]:
    """6.4: the governing body approves any off-site direction, before it starts."""
    if not facts.is_off_site_direction:
        return []
    d = facts.direction
    approved = d.governing_body_approved_on if d else None
    if approved is not None and approved <= facts.start_date:
        return []
    line = ("The governing body's approval is dated after the start: it must approve before the direction starts."
            if approved is not None else "Record the governing body's approval of the off-site direction.")
    return [Missing("governing_body_approval", "6.4", line)]


def parents_letter(facts: PlacementFacts) -> list[Missing]:
    """6.5: parents told in writing at least 2 school days before the start, including their duty under
    section 444(1) Education Act 1996. Their consent is not needed."""
    if not facts.is_off_site_direction:
        return []
    d = facts.direction or DirectionFacts()
    latest = d.latest_letter_date
    if d.parents_letter_sent_on is not None and latest is not None and d.parents_letter_sent_on <= latest:
        return []
    if latest is None:
        line = ("Enter the school's term dates so the last day for the letter to parents (2 school days before "
                "the start) can be worked out.")
    elif d.parents_letter_sent_on is not None:
        line = (f"The letter to parents went on {d.parents_letter_sent_on:%-d %B %Y}, later than "
                f"{latest:%-d %B %Y}: move the start so it is at least 2 school days after the letter.")
    elif facts.today > latest:
        line = (f"The letter to parents had to go by {latest:%-d %B %Y}: send it and move the start date so it "
                "is at least 2 school days later.")
    else:
        line = f"Send the letter to parents by {latest:%A %-d %B %Y} and record it as sent."
    return [Missing("parents_letter", "6.5", line)]


CONDITIONS: tuple[Callable[[PlacementFacts], list[Missing]], ...] = (
    provider_not_suspended,
    provider_vetted,
    registration_rule,
    online_justification,
    needs_analysis,
    pupil_risk_assessment,
    parents_consulted,
    involvement,
    key_information_shared,
    commissioning_agreement,
    review_frequency,
    weekly_pattern,
    direction_recorded,
    governing_body_approval,
    parents_letter,
)


def readiness(facts: PlacementFacts) -> list[Missing]:
    """Everything still missing before the placement may start; empty when it is ready."""
    return [line for condition in CONDITIONS for line in condition(facts)]
