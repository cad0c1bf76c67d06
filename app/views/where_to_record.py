"""Where each missing thing is recorded: the page (endpoint) for every condition of the readiness gate
(`app.policy.placement_readiness`) and every pre-placement code (`app.policy.pre_placement`).

The rules say what is missing and know nothing of pages; this table is the one place that maps a missing item to
the page that records it. tests/views/test_where_to_record.py proves every condition and code has a page that
this app can build a URL for, so a link never silently disappears.
"""
from __future__ import annotations

from flask import url_for

from app.policy import pre_placement
from app.policy.placement_readiness import Missing

# Readiness condition -> (endpoint, the record whose id the page takes: "placement", "pupil" or "provider").
READINESS_PAGES: dict[str, tuple[str, str]] = {
    "provider_not_suspended": ("providers.show", "provider"),
    "provider_vetted": ("providers.show", "provider"),
    "registration_rule": ("placements.edit_sessions", "placement"),
    "online_justification": ("placements.edit", "placement"),
    "needs_analysis": ("pupils.new_referral", "pupil"),
    "pupil_risk_assessment": ("pupils.new_risk_assessment", "pupil"),
    "parents_consulted": ("pupils.new_consultation", "pupil"),
    "involvement": ("pupils.new_involvement", "pupil"),
    "key_information_shared": ("placements.key_information", "placement"),
    "commissioning_agreement": ("placements.edit_agreement", "placement"),
    "review_frequency": ("placements.edit_agreement", "placement"),
    "weekly_pattern": ("placements.edit_sessions", "placement"),
    "direction_recorded": ("placements.direction", "placement"),
    "governing_body_approval": ("placements.direction", "placement"),
    "parents_letter": ("placements.direction", "placement"),
}

# Pre-placement code family (the code before its first ".") -> the pupil's page that records it.
PRE_PLACEMENT_PAGES: dict[str, str] = {
    "needs_analysis": "pupils.new_referral",
    "risk_assessment": "pupils.new_risk_assessment",
    "parent_consultation": "pupils.new_consultation",
    "involvement": "pupils.new_involvement",
}


def readiness_page(missing: Missing, placement) -> tuple[str, dict]:
    """(endpoint, url_for arguments) of the page that records `missing` for `placement`."""
    endpoint, record = READINESS_PAGES[missing.condition]
    ids = {"placement": {"placement_id": placement.id}, "pupil": {"pupil_id": placement.pupil_id},
           "provider": {"provider_id": placement.provider_id}}[record]
    if missing.condition == "parents_consulted":
        ids = {**ids, "placement_id": placement.id}  # the consultation is about this placement (7.4)
    return endpoint, {**ids, **missing.detail}


def readiness_url(missing: Missing, placement) -> str:
    endpoint, args = readiness_page(missing, placement)
    return url_for(endpoint, **args)


def pre_placement_page(missing: pre_placement.Missing, pupil_id: int, placement_id: int | None = None
                       ) -> tuple[str, dict]:
    """(endpoint, url_for arguments) of the pupil's page that records a pre-placement `missing` item."""
    endpoint = PRE_PLACEMENT_PAGES[missing.code.split(".", 1)[0]]
    args: dict = {"pupil_id": pupil_id}
    if missing.code == "risk_assessment.review_overdue" and missing.reviews_id:
        args["reviews"] = missing.reviews_id
    if missing.code == "parent_consultation" and placement_id is not None:
        args["placement_id"] = placement_id
    if missing.code.startswith("involvement"):
        args["party"] = missing.party
    return endpoint, args
