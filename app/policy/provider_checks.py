"""The pre-placement provider checks (policy 7.8), as data, and what still stands between a check and the
approval of its risk assessment.

Every item the policy lists is one `CheckItem`. KCSIE's written confirmation of staff safeguarding checks is its
own item (the school must hold it in writing). The visit is for providers with premises; an online-only provider
gets a call or online meeting instead, and has no physical environment to inspect.

Plain functions: no Flask, no database.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ON_SITE, OFF_SITE, ONLINE_ONLY = "on_site", "off_site", "online_only"  # app.models.ProviderKind values
WITH_PREMISES = frozenset({ON_SITE, OFF_SITE})
EVERY_KIND = frozenset({ON_SITE, OFF_SITE, ONLINE_ONLY})

MET, NOT_MET, NOT_APPLICABLE = "met", "not_met", "not_applicable"  # app.models.CheckOutcome values


@dataclass(frozen=True)
class CheckItem:
    code: str
    label: str
    group: str
    section: str  # where the policy (or guidance) asks for it
    kinds: frozenset[str] = EVERY_KIND  # the provider kinds the item applies to


_REG, _PUB, _POL, _PROV, _ENV, _QA = (
    "Registration and reports", "Published information", "Policies and procedures", "Provision and arrangements",
    "Physical environment", "Visit and quality assurance")

CHECK_ITEMS: tuple[CheckItem, ...] = (
    CheckItem("registration_confirmed", "Registration status of the provider confirmed", _REG, "7.8, 7.2"),
    CheckItem("published_reports_reviewed",
              "Latest published Ofsted report (and any LA or other external reports) reviewed", _REG, "7.8"),
    CheckItem("website_and_social_media", "Website and social media channels reviewed", _PUB, "7.8"),
    CheckItem("policy_safeguarding", "Safeguarding policy reviewed (including online safety)", _POL, "7.8"),
    CheckItem("policy_safer_recruitment", "Safer recruitment policy reviewed", _POL, "7.8"),
    CheckItem("staff_checks_written_confirmation",
              "Written confirmation that the staff safeguarding checks the school would make have been made",
              _POL, "7.8; KCSIE"),
    CheckItem("policy_data_protection", "Data management and protection policy reviewed", _POL, "7.8"),
    CheckItem("policy_health_and_safety",
              "Health and safety policy reviewed (including fire, first aid and lockdown)", _POL, "7.8"),
    CheckItem("policy_complaints", "Complaints policy reviewed", _POL, "7.8"),
    CheckItem("policy_attendance", "Attendance policy reviewed", _POL, "7.8"),
    CheckItem("policy_behaviour", "Behaviour policy reviewed", _POL, "7.8"),
    CheckItem("policy_anti_bullying", "Anti-bullying policy reviewed", _POL, "7.8"),
    CheckItem("curriculum_and_outcomes",
              "Curriculum offer (including personal development) and track record of qualification outcomes "
              "reviewed", _PROV, "7.8"),
    CheckItem("insurance_and_certification",
              "Insurance and other health and safety or compliance certification checked", _PROV, "7.8"),
    CheckItem("enrolment_and_exam_entries",
              "Arrangements for enrolling pupils (including examination and assessment entries) confirmed",
              _PROV, "7.8"),
    CheckItem("attendance_recording",
              "Morning and afternoon attendance recording confirmed, and how the school hears each day whether "
              "the pupil attended on time", _PROV, "7.8, 4.5"),
    CheckItem("communication_processes",
              "Communication with school, parents and carers about progress and emerging concerns reviewed",
              _PROV, "7.8"),
    CheckItem("environment_site_security", "Site security", _ENV, "7.8", WITH_PREMISES),
    CheckItem("environment_fire_safety", "Fire safety", _ENV, "7.8", WITH_PREMISES),
    CheckItem("environment_toilets_and_washing", "Toilet provision and washing facilities", _ENV, "7.8",
              WITH_PREMISES),
    CheckItem("environment_protective_equipment", "Provision of protective equipment", _ENV, "7.8", WITH_PREMISES),
    CheckItem("environment_catering", "Catering provision", _ENV, "7.8", WITH_PREMISES),
    CheckItem("environment_condition_and_cleanliness", "General condition and cleanliness", _ENV, "7.8",
              WITH_PREMISES),
    CheckItem("qa_visit_arrangements", "How the school will make regular quality assurance visits confirmed",
              _QA, "7.8, 8.1"),
    CheckItem("visit", "Visit to the provider by school staff", _QA, "7.8", WITH_PREMISES),
    CheckItem("remote_contact", "Telephone call or online meeting with the provider", _QA, "7.8",
              frozenset({ONLINE_ONLY})),
)

ITEMS_BY_CODE: dict[str, CheckItem] = {item.code: item for item in CHECK_ITEMS}


def items_for(provider_kind: str) -> list[CheckItem]:
    """Policy 7.8: the items a provider of this kind is checked on (a visit for premises, a call or online
    meeting for an online-only provider)."""
    return [item for item in CHECK_ITEMS if str(provider_kind) in item.kinds]


def item_problem(state) -> str | None:
    """Policy 7.8: why one recorded item does not yet count as done, or None when it does. Done is met, or not
    applicable with a reason; not met blocks approval. `state` has `outcome` and `not_applicable_reason`
    (a ProviderCheckItem, or anything shaped like one); None means nothing is recorded."""
    outcome = getattr(state, "outcome", None) if state is not None else None
    outcome = str(outcome) if outcome is not None else None
    if outcome is None:
        return "not yet checked"
    if outcome == NOT_MET:
        return "not met"
    if outcome == NOT_APPLICABLE and not (getattr(state, "not_applicable_reason", None) or "").strip():
        return "marked not applicable without a reason"
    if outcome in (MET, NOT_APPLICABLE):
        return None
    return f"unknown outcome {outcome!r}"


def missing_check_items(items_by_code: Mapping[str, object], provider_kind: str) -> list[str]:
    """Policy 7.8: the codes of the items, in the policy's order, that stop the risk assessment being approved
    for a provider of this kind (not recorded, not met, or not applicable without a reason)."""
    return [item.code for item in items_for(provider_kind) if item_problem(items_by_code.get(item.code))]


def evidence_problem(outcome: str | None, evidence_note: str | None, file_count: int) -> str | None:
    """Policy 7.8: an item marked met is met on evidence: a note of what was seen or sent, or a file. None when
    the item has its evidence (or is not marked met)."""
    if outcome is None or str(outcome) != MET:
        return None
    if (evidence_note or "").strip() or file_count > 0:
        return None
    return "Give the evidence for a met check: a note of what you saw or were sent, or a file."


def missing_provider_details(provider_kind: str, site_count: int, contact_count: int) -> list[str]:
    """Policy 7.8 (the visit, and the daily contact of 4.5): vetting needs somewhere the pupil goes and someone
    to call. A provider with premises needs at least one site; every provider needs at least one contact. The
    list says what is missing, in words for the person who adds it."""
    missing = []
    if str(provider_kind) in WITH_PREMISES and site_count < 1:
        missing.append("Add at least one site (where the pupils go).")
    if contact_count < 1:
        missing.append("Add at least one contact at the provider.")
    return missing
