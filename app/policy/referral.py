"""The reasons a school may arrange alternative provision (policy 5.2), as data.

A referral stores the codes; pages show the labels. The policy's list is "not limited to", so `other` lets a
school record a reason the list does not name; the needs analysis then says what it is.
"""
from __future__ import annotations

# (code, label), in the policy's order. Codes are stored: never rename one.
REFERRAL_REASONS: tuple[tuple[str, str], ...] = (
    ("risk_of_permanent_exclusion", "To encourage inclusion in education of a pupil at risk of permanent exclusion"),
    ("supplement_curriculum", "To supplement the mainstream curriculum so the pupil's wider development is supported"),
    ("personalise_curriculum", "To personalise the curriculum, or give more flexibility in what and how the pupil "
                               "learns"),
    ("mainstream_demands", "The pupil struggles with the academic and social demands of on-site mainstream education"),
    ("negative_experiences", "To negate damage from negative experiences of subjects or other parts of school"),
    ("not_attending", "The pupil has not been attending regularly and is at risk of not achieving qualifications"),
    ("ehcp_requirements", "To meet the requirements of the pupil's EHCP or another statutory document"),
    ("other", "Another reason, explained in the needs analysis"),
)

REASON_LABELS: dict[str, str] = dict(REFERRAL_REASONS)


def unknown_reasons(codes) -> list[str]:
    """Codes that are not reasons of 5.2 (a stale form or a bad API call)."""
    return [c for c in codes if c not in REASON_LABELS]


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)
