"""Pre-placement records: referral (4.3, 5.2), risk assessment (4.3), consultation (7.4), involvement (7.5,
7.6, 8.8), continued belonging (5.4) and event risk (5.5).
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    BelongingAction,
    EventRiskAssessment,
    Involvement,
    InvolvementParty,
    ParentConsultation,
    Placement,
    PlacementStatus,
    Pupil,
    PupilRiskAssessment,
    Referral,
    User,
)
from app.policy.referral import unknown_reasons
from app.services.results import Result
from tenants.access import RecordNotFound

from .record import carers_of
from .values import _commit, _not_future, _required, _text

# --- referral and needs analysis (4.3, 5.2, 7.3) ------------------------------------------------------------


def referral_checked(values: Mapping) -> tuple[dict, dict[str, str]]:
    """A referral's values cleaned, and every problem with them by field (adding and correcting share it)."""
    cleaned = {name: _text(values, name) for name in ("academic_needs", "personal_needs", "social_needs",
                                                     "options_considered", "on_site_options_considered")}
    reasons = [str(r) for r in (values.get("reasons") or [])]
    errors: dict[str, str] = {}
    _required(cleaned, errors, "academic_needs", "Describe the pupil's academic needs.")
    _required(cleaned, errors, "personal_needs", "Describe the pupil's personal needs.")
    _required(cleaned, errors, "social_needs", "Describe the pupil's social needs.")
    if not reasons:
        errors["reasons"] = "Choose at least one reason from the policy's list (5.2)."
    elif unknown_reasons(reasons):
        errors["reasons"] = "Choose reasons from the policy's list (5.2)."
    _required(cleaned, errors, "options_considered", "Say which options were considered, on-site first.")
    cleaned["proposed_on"] = values.get("proposed_on")
    _not_future(cleaned, errors, "proposed_on", "the date of the proposal")
    cleaned["reasons"] = reasons
    return cleaned, errors


def record_referral(pupil: Pupil, values: Mapping, by: User) -> Result:
    cleaned, errors = referral_checked(values)
    if errors:
        return Result(errors=errors)
    referral = Referral(school_id=pupil.school_id, pupil_id=pupil.id, proposed_by_id=by.id, **cleaned)
    db.session.add(referral)
    return _commit(referral, "academic_needs", "The referral could not be saved.")


# --- individual risk assessment (4.3) -----------------------------------------------------------------------


def access_risk_assessment(pupil: Pupil, assessment_id: int) -> PupilRiskAssessment:
    """One of this pupil's risk assessments, or 404."""
    assessment = db.session.get(PupilRiskAssessment, assessment_id)
    if assessment is None or assessment.pupil_id != pupil.id:
        raise RecordNotFound("risk assessment")
    return assessment


def risk_assessment_checked(values: Mapping, reviews: PupilRiskAssessment | None = None
                            ) -> tuple[dict, dict[str, str]]:
    cleaned = {name: _text(values, name) for name in ("risks", "control_measures")}
    cleaned["assessed_on"] = values.get("assessed_on")
    cleaned["review_due_on"] = values.get("review_due_on")
    errors: dict[str, str] = {}
    _not_future(cleaned, errors, "assessed_on", "the date of the assessment")
    _required(cleaned, errors, "risks", "Describe the risks to and from the pupil.")
    _required(cleaned, errors, "control_measures", "Describe how each risk is controlled.")
    due = cleaned["review_due_on"]
    if due is None:
        errors["review_due_on"] = "Enter when the assessment is next to be reviewed."
    elif "assessed_on" not in errors and due <= cleaned["assessed_on"]:
        errors["review_due_on"] = "The review date must be after the date of the assessment."
    if reviews is not None and "assessed_on" not in errors and cleaned["assessed_on"] < reviews.assessed_on:
        errors["assessed_on"] = (f"A review cannot be dated before the assessment it reviews "
                                 f"({reviews.assessed_on:%-d %b %Y}).")
    return cleaned, errors


def record_risk_assessment(pupil: Pupil, values: Mapping, by: User,
                           reviews: PupilRiskAssessment | None = None) -> Result:
    """A new assessment, or a review of `reviews` (a new row pointing at it: the earlier one stays as it was)."""
    cleaned, errors = risk_assessment_checked(values, reviews)
    if errors:
        return Result(errors=errors)
    assessment = PupilRiskAssessment(school_id=pupil.school_id, pupil_id=pupil.id, assessed_by_id=by.id,
                                     reviews_id=reviews.id if reviews else None, **cleaned)
    db.session.add(assessment)
    return _commit(assessment, "risks", "The risk assessment could not be saved.")


# --- parents and carers consulted (7.4) ---------------------------------------------------------------------

CONSULTATION_METHODS = (("meeting", "Meeting in person"), ("phone", "Phone call"), ("online", "Online meeting"),
                        ("letter", "Letter or email"))


def access_pupil_placement(pupil: Pupil, placement_id: int) -> Placement:
    """A placement of this pupil, or 404 (another school's placement, or another pupil's)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.pupil_id != pupil.id:
        raise RecordNotFound("placement")
    return placement


def consultation_checked(pupil: Pupil, values: Mapping) -> tuple[dict, dict[str, str]]:
    cleaned = {name: _text(values, name) for name in ("method", "carer_views", "school_decision",
                                                     "decision_reason")}
    cleaned["consulted_on"] = values.get("consulted_on")
    errors: dict[str, str] = {}
    _not_future(cleaned, errors, "consulted_on", "the date of the consultation")
    if cleaned["method"] not in dict(CONSULTATION_METHODS):
        errors["method"] = "Choose how the parents or carers were consulted."
    carer_id = values.get("carer_id") or None
    if carer_id is not None and carer_id not in {c.id for c in carers_of(pupil)}:
        errors["carer_id"] = "Choose one of this pupil's parents or carers."
    _required(cleaned, errors, "carer_views", "Record the parents' or carers' views.")
    _required(cleaned, errors, "school_decision", "Record the school's decision (it rests with the school, 7.4).")
    cleaned["carer_id"] = carer_id
    return cleaned, errors


def record_consultation(pupil: Pupil, values: Mapping, by: User, placement: Placement | None = None) -> Result:
    cleaned, errors = consultation_checked(pupil, values)
    if errors:
        return Result(errors=errors)
    consultation = ParentConsultation(school_id=pupil.school_id, pupil_id=pupil.id,
                                      placement_id=placement.id if placement else None, recorded_by_id=by.id,
                                      **cleaned)
    db.session.add(consultation)
    return _commit(consultation, "carer_views", "The consultation could not be saved.")


# --- involvement (7.5, 7.6, 8.8) ----------------------------------------------------------------------------

PARTY_LABELS = {
    InvolvementParty.LOCAL_AUTHORITY_SEND: "Local authority SEND team (EHCP)",
    InvolvementParty.VIRTUAL_SCHOOL_HEAD: "Virtual School Headteacher",
    InvolvementParty.SOCIAL_WORKER: "Social worker",
}


def involvement_checked(values: Mapping) -> tuple[dict, dict[str, str]]:
    cleaned = {name: _text(values, name) for name in ("person_name", "notes")}
    cleaned["involved_on"] = values.get("involved_on")
    errors: dict[str, str] = {}
    try:
        party = InvolvementParty(values.get("party"))
    except ValueError:
        party = None
        errors["party"] = "Choose who was involved."
    _required(cleaned, errors, "person_name", "Enter the name of the person involved.", 200)
    _not_future(cleaned, errors, "involved_on", "the date they were involved")
    review = values.get("ehcp_review_needed")
    if party is InvolvementParty.LOCAL_AUTHORITY_SEND:
        if review is None:
            errors["ehcp_review_needed"] = "Say whether a formal EHCP review is needed to change the named setting."
    else:
        review = None  # the question is the LA's, about an EHCP (7.5)
    cleaned.update(party=party, ehcp_review_needed=review)
    return cleaned, errors


def record_involvement(pupil: Pupil, values: Mapping, by: User) -> Result:
    cleaned, errors = involvement_checked(values)
    if errors:
        return Result(errors=errors)
    involvement = Involvement(school_id=pupil.school_id, pupil_id=pupil.id, recorded_by_id=by.id, **cleaned)
    db.session.add(involvement)
    return _commit(involvement, "person_name", "The involvement could not be saved.")


# --- continued belonging (5.4) ------------------------------------------------------------------------------

BELONGING_KINDS = (
    ("visit", "Staff visit at the provision or at home"),
    ("event", "Invitation to a whole-school initiative or event"),
    ("friends", "Contact with friends at the school"),
    ("reward", "Included in rewards and recognition"),
    ("newsletter", "Newsletter or school information to parents"),
    ("support", "Access to school support services (counselling, careers)"),
    ("resources", "Revision or study resources"),
    ("other", "Something else"),
)


def record_belonging_action(pupil: Pupil, values: Mapping, by: User) -> Result:
    cleaned = {"kind": _text(values, "kind"), "note": _text(values, "note"), "on": values.get("on")}
    errors: dict[str, str] = {}
    if cleaned["kind"] not in dict(BELONGING_KINDS):
        errors["kind"] = "Choose what was done."
    if cleaned["on"] is None:
        errors["on"] = "Enter the date."
    if cleaned["kind"] == "other" and not cleaned["note"]:
        errors["note"] = "Say what was done."
    if errors:
        return Result(errors=errors)
    action = BelongingAction(school_id=pupil.school_id, pupil_id=pupil.id, recorded_by_id=by.id, **cleaned)
    db.session.add(action)
    return _commit(action, "kind", "The action could not be saved.")


# --- event risk assessment (5.5) ----------------------------------------------------------------------------

EVENT_DECISIONS = (("may attend", "May attend"), ("may attend with measures", "May attend, with measures"),
                   ("may not attend", "May not attend"))


def is_off_site_directed(pupil: Pupil) -> bool:
    """Whether the pupil is (or is about to be) directed off-site to improve behaviour (section 6)."""
    return bool(db.session.scalar(select(func.count(Placement.id)).where(
        Placement.pupil_id == pupil.id, Placement.is_off_site_direction.is_(True),
        Placement.status.in_([PlacementStatus.PLANNED, PlacementStatus.ACTIVE]))))


def record_event_risk_assessment(pupil: Pupil, values: Mapping, by: User) -> Result:
    """5.5: for an off-site-directed pupil the assessment must consider the circumstances that led to the
    direction and anything since."""
    cleaned = {name: _text(values, name) for name in ("event_name", "assessment", "decision",
                                                     "direction_circumstances_considered")}
    cleaned["event_on"] = values.get("event_on")
    cleaned["assessed_on"] = values.get("assessed_on") or clock.today()
    errors: dict[str, str] = {}
    _required(cleaned, errors, "event_name", "Enter the event or contact being assessed.", 200)
    if cleaned["event_on"] is None:
        errors["event_on"] = "Enter the date of the event."
    _not_future(cleaned, errors, "assessed_on", "the date of the assessment")
    _required(cleaned, errors, "assessment", "Describe the risks and how they are managed.")
    if cleaned["decision"] not in dict(EVENT_DECISIONS):
        errors["decision"] = "Choose the decision."
    if is_off_site_directed(pupil) and not cleaned["direction_circumstances_considered"]:
        errors["direction_circumstances_considered"] = (
            "This pupil is directed off-site: consider the circumstances that led to the direction and any "
            "incidents since (5.5).")
    if errors:
        return Result(errors=errors)
    assessment = EventRiskAssessment(school_id=pupil.school_id, pupil_id=pupil.id, assessed_by_id=by.id, **cleaned)
    db.session.add(assessment)
    return _commit(assessment, "event_name", "The assessment could not be saved.")
