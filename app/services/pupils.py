"""Pupils and everything that precedes a placement: the pupil record and carers, the referral and needs analysis
(4.3, 5.2), the individual risk assessment and its reviews (4.3), parents consulted (7.4), LA / VSH / social worker
involvement (7.5, 7.6, 8.8), continued belonging (5.4) and event risk (5.5); and the pupil's timeline.

Every function runs in a school scope (a request under /<school>/, or a job in `jobs.context.in_school`): the
scoping adds the school to each query, so another school's pupil is simply not found (404).

Writing: each `create_*` / `record_*` / `update_*` takes plain values (a dict; forms, the API and the CSV import
all build one), checks all of them first and returns a `Result`: the saved record, or the problems keyed by
field name — and then nothing was written. One commit per change.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.input_edges import escape_like
from app.models import (
    AuditEvent,
    BelongingAction,
    Carer,
    EventRiskAssessment,
    Involvement,
    InvolvementParty,
    Notification,
    ParentConsultation,
    Placement,
    PlacementStatus,
    Pupil,
    PupilRiskAssessment,
    Referral,
    Task,
    User,
)
from app.policy import pre_placement
from app.policy.referral import reason_label, unknown_reasons
from app.policy.school_age import compulsory_school_age_end, compulsory_school_age_start, compulsory_school_age_status
from app.services.results import Result
from tenants.context import require_school_id
from tenants.access import school_record_or_404

# --- results ------------------------------------------------------------------------------------------------




def _commit(record, errors_on: str, message: str) -> Result:
    try:
        db.session.commit()
    except IntegrityError:
        # Two people saving the same UPN at once: the database keeps the first.
        db.session.rollback()
        return Result(errors={errors_on: message})
    return Result(record=record)


# --- UPN (DfE "Unique pupil numbers" guidance) --------------------------------------------------------------

# The check letter alphabet: A-Z without I, O and S; a letter's value is its index.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


def upn_check_letter(upn: str) -> str:
    """The DfE check letter for characters 2-13 of a UPN: each character times its position (2..13), summed,
    modulo 23, looked up in UPN_LETTERS. Character 13 may be a letter (a temporary UPN): its value is its index."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        total += (int(char) if char.isdigit() else UPN_LETTERS.index(char)) * position
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str | None) -> str | None:
    """What is wrong with a UPN, or None: 13 characters, a check letter, 11 digits, a last digit or letter
    (temporary UPNs end in a letter), and the DfE check letter must match."""
    if not upn:
        return "Enter the UPN (unique pupil number)."
    if len(upn) != 13:
        return f"A UPN has 13 characters; this has {len(upn)}."
    if not _UPN_SHAPE.match(upn) or upn[0] not in UPN_LETTERS or upn[12] in "IOS":
        return "A UPN is a letter, 11 digits, then a digit or a letter (for example A123456789012)."
    if upn_check_letter(upn) != upn[0]:
        return "This UPN's check letter does not match its digits: check it against the MIS."
    return None


# --- small value checks -------------------------------------------------------------------------------------


def _text(values: Mapping, name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _bool(values: Mapping, name: str) -> bool:
    return bool(values.get(name))


def _email_problem(email: str | None) -> str | None:
    if email is None:
        return None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "Enter an email address like name@example.org."
    return None


def _required(cleaned: dict, errors: dict, name: str, message: str, max_length: int | None = None) -> None:
    if cleaned.get(name) is None:
        errors[name] = message
    elif max_length is not None and len(cleaned[name]) > max_length:
        errors[name] = f"Keep this to {max_length} characters or fewer."


def _not_future(cleaned: dict, errors: dict, name: str, what: str) -> None:
    day = cleaned.get(name)
    if day is None:
        errors.setdefault(name, f"Enter {what}.")
    elif not isinstance(day, dt.date):
        errors[name] = f"Enter {what} as a real date."
    elif day > clock.today():
        errors[name] = f"{what[0].upper()}{what[1:]} cannot be in the future."


# --- pupils -------------------------------------------------------------------------------------------------

PUPIL_TEXT_FIELDS = ("upn", "first_name", "last_name", "preferred_name", "social_worker_name",
                     "social_worker_email", "social_worker_phone", "medical_needs")
PUPIL_FLAGS = ("has_ehcp", "sen_support", "is_looked_after", "has_social_worker", "fsm_eligible")
PUPIL_FIELDS = (*PUPIL_TEXT_FIELDS, *PUPIL_FLAGS, "date_of_birth", "year_group")
YEAR_GROUPS = {-1: "Nursery", 0: "Reception", **{n: f"Year {n}" for n in range(1, 14)}}


def year_group_label(year_group: int) -> str:
    return YEAR_GROUPS.get(year_group, str(year_group))


def clean_pupil_values(values: Mapping) -> dict:
    """Trim text (blank is None), upper-case the UPN, make flags booleans. A looked-after child always has a
    social worker (7.6), so the flag follows."""
    cleaned = {name: _text(values, name) for name in PUPIL_TEXT_FIELDS}
    if cleaned["upn"]:
        cleaned["upn"] = cleaned["upn"].upper().replace(" ", "")
    if cleaned["social_worker_email"]:
        cleaned["social_worker_email"] = cleaned["social_worker_email"].lower()
    cleaned.update({name: _bool(values, name) for name in PUPIL_FLAGS})
    if cleaned["is_looked_after"]:
        cleaned["has_social_worker"] = True
    cleaned["date_of_birth"] = values.get("date_of_birth")
    cleaned["year_group"] = values.get("year_group")
    return cleaned


def pupil_problems(cleaned: dict, *, current_id: int | None = None, check_unique: bool = True) -> dict[str, str]:
    """Every problem with a pupil's values, by field. `check_unique` looks for the UPN among this school's
    pupils (archived ones too: the database keeps UPNs unique per school)."""
    errors: dict[str, str] = {}
    problem = upn_problem(cleaned.get("upn"))
    if problem:
        errors["upn"] = problem
    _required(cleaned, errors, "first_name", "Enter the pupil's first name.", 100)
    _required(cleaned, errors, "last_name", "Enter the pupil's last name.", 100)
    if cleaned.get("preferred_name") and len(cleaned["preferred_name"]) > 100:
        errors["preferred_name"] = "Keep this to 100 characters or fewer."
    dob = cleaned.get("date_of_birth")
    if dob is None:
        errors["date_of_birth"] = "Enter the pupil's date of birth."
    elif not isinstance(dob, dt.date):
        errors["date_of_birth"] = "Enter the date of birth as a real date, for example 17/05/2012."
    elif dob >= clock.today():
        errors["date_of_birth"] = "The date of birth must be in the past."
    elif dob.year < clock.today().year - 25:
        errors["date_of_birth"] = "This would make the pupil over 25: check the year."
    year_group = cleaned.get("year_group")
    if year_group is None or year_group == "":
        errors["year_group"] = "Choose the pupil's year group."
    elif not isinstance(year_group, int) or year_group not in YEAR_GROUPS:
        errors["year_group"] = "The year group is Nursery (-1), Reception (0) or Year 1 to Year 13."
    if cleaned.get("has_ehcp") and cleaned.get("sen_support"):
        errors["sen_support"] = "A pupil with an EHCP is not also on SEN support: untick one."
    problem = _email_problem(cleaned.get("social_worker_email"))
    if problem:
        errors["social_worker_email"] = problem
    for name, limit in (("social_worker_name", 200), ("social_worker_phone", 40)):
        if cleaned.get(name) and len(cleaned[name]) > limit:
            errors[name] = f"Keep this to {limit} characters or fewer."
    if check_unique and "upn" not in errors:
        clash = db.session.scalar(select(Pupil.id).where(Pupil.upn == cleaned["upn"],
                                                        Pupil.id != (current_id or 0)))
        if clash is not None:
            errors["upn"] = "Another pupil in this school already has this UPN."
    return errors


def _apply(pupil: Pupil, cleaned: dict) -> None:
    for name in PUPIL_FIELDS:
        setattr(pupil, name, cleaned[name])


def create_pupil(values: Mapping, by: User | None = None) -> Result:
    cleaned = clean_pupil_values(values)
    errors = pupil_problems(cleaned)
    if errors:
        return Result(errors=errors)
    pupil = Pupil(school_id=require_school_id())
    _apply(pupil, cleaned)
    db.session.add(pupil)
    return _commit(pupil, "upn", "Another pupil in this school already has this UPN.")


def update_pupil(pupil: Pupil, values: Mapping, by: User | None = None) -> Result:
    cleaned = clean_pupil_values(values)
    errors = pupil_problems(cleaned, current_id=pupil.id)
    if errors:
        return Result(errors=errors)
    _apply(pupil, cleaned)
    return _commit(pupil, "upn", "Another pupil in this school already has this UPN.")


def archive_pupil(pupil: Pupil, by: User) -> Result:
    """Pupils are archived, never deleted (safeguarding records): they leave the list, their record stays.
    A pupil with a planned or active placement stays until it has ended or been cancelled."""
    if pupil.is_archived:
        return Result(record=pupil)
    current = db.session.scalar(select(func.count(Placement.id)).where(
        Placement.pupil_id == pupil.id, Placement.status.in_([PlacementStatus.PLANNED, PlacementStatus.ACTIVE])))
    if current:
        return Result(errors={"pupil": "This pupil has a planned or active placement: end or cancel it first."})
    pupil.archived_at = clock.now()
    pupil.archived_by_id = by.id
    return _commit(pupil, "pupil", "The pupil could not be archived.")


def access_pupil(pupil_id: int, *, include_archived: bool = True) -> Pupil:
    """A pupil of the current school, or 404 (another school's id is not found, never forbidden)."""
    return school_record_or_404(Pupil, pupil_id, include_archived=include_archived)


PAGE_SIZE = 50


@dataclass
class PupilPage:
    pupils: list[Pupil]
    total: int
    page: int
    pages: int
    search: str


def list_pupils(search: str | None = None, page: int = 1, include_archived: bool = False) -> PupilPage:
    """This school's pupils by last name, PAGE_SIZE at a time; `search` matches any part of a name or the UPN."""
    query = select(Pupil)
    if not include_archived:
        query = query.where(Pupil.archived_at.is_(None))
    search = (search or "").strip()
    if search:
        like = f"%{escape_like(search.lower())}%"
        query = query.where(or_(*(func.lower(column).like(like, escape="\\") for column in
                                  (Pupil.first_name, Pupil.last_name, Pupil.preferred_name, Pupil.upn))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.scalars(query.order_by(Pupil.last_name, Pupil.first_name, Pupil.id)
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return PupilPage(pupils=list(rows), total=total, page=page, pages=pages, search=search)


# --- carers -------------------------------------------------------------------------------------------------


def add_carer(pupil: Pupil, values: Mapping, by: User | None = None) -> Result:
    cleaned = {name: _text(values, name) for name in ("name", "relationship_to_pupil", "email", "phone", "address")}
    if cleaned["email"]:
        cleaned["email"] = cleaned["email"].lower()
    errors: dict[str, str] = {}
    _required(cleaned, errors, "name", "Enter the parent or carer's name.", 200)
    for name, limit in (("relationship_to_pupil", 60), ("phone", 40), ("address", 500)):
        if cleaned[name] and len(cleaned[name]) > limit:
            errors[name] = f"Keep this to {limit} characters or fewer."
    problem = _email_problem(cleaned["email"])
    if problem:
        errors["email"] = problem
    if not cleaned["email"] and not cleaned["phone"] and "email" not in errors:
        errors["phone"] = "Give a phone number or an email address, so the school can reach them."
    if errors:
        return Result(errors=errors)
    carer = Carer(school_id=pupil.school_id, pupil_id=pupil.id, lives_with=_bool(values, "lives_with"),
                  has_parental_responsibility=_bool(values, "has_parental_responsibility"), **cleaned)
    db.session.add(carer)
    return _commit(carer, "name", "The carer could not be saved.")


def carers_of(pupil: Pupil) -> list[Carer]:
    return list(db.session.scalars(select(Carer).where(Carer.pupil_id == pupil.id, Carer.archived_at.is_(None))
                                   .order_by(Carer.id)))


# --- referral and needs analysis (4.3, 5.2, 7.3) ------------------------------------------------------------


def record_referral(pupil: Pupil, values: Mapping, by: User) -> Result:
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
    if errors:
        return Result(errors=errors)
    referral = Referral(school_id=pupil.school_id, pupil_id=pupil.id, reasons=reasons, proposed_by_id=by.id,
                        **cleaned)
    db.session.add(referral)
    return _commit(referral, "academic_needs", "The referral could not be saved.")


# --- individual risk assessment (4.3) -----------------------------------------------------------------------


def access_risk_assessment(pupil: Pupil, assessment_id: int) -> PupilRiskAssessment:
    """One of this pupil's risk assessments, or 404."""
    assessment = db.session.get(PupilRiskAssessment, assessment_id)
    if assessment is None or assessment.pupil_id != pupil.id:
        abort(404)
    return assessment


def record_risk_assessment(pupil: Pupil, values: Mapping, by: User,
                           reviews: PupilRiskAssessment | None = None) -> Result:
    """A new assessment, or a review of `reviews` (a new row pointing at it: the earlier one stays as it was)."""
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
        abort(404)
    return placement


def record_consultation(pupil: Pupil, values: Mapping, by: User, placement: Placement | None = None) -> Result:
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
    if errors:
        return Result(errors=errors)
    consultation = ParentConsultation(school_id=pupil.school_id, pupil_id=pupil.id, carer_id=carer_id,
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


def record_involvement(pupil: Pupil, values: Mapping, by: User) -> Result:
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
    if errors:
        return Result(errors=errors)
    involvement = Involvement(school_id=pupil.school_id, pupil_id=pupil.id, party=party, ehcp_review_needed=review,
                              recorded_by_id=by.id, **cleaned)
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


# --- reading a pupil's records ------------------------------------------------------------------------------


def _of_pupil(model, pupil: Pupil, *order):
    query = select(model).where(model.pupil_id == pupil.id)
    if hasattr(model, "archived_at"):
        query = query.where(model.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(*order)))


@dataclass
class PupilRecords:
    carers: list[Carer]
    referrals: list[Referral]
    risk_assessments: list[PupilRiskAssessment]
    consultations: list[ParentConsultation]
    involvements: list[Involvement]
    belonging_actions: list[BelongingAction]
    event_risk_assessments: list[EventRiskAssessment]
    placements: list[Placement]

    @property
    def latest_referral(self) -> Referral | None:
        return self.referrals[0] if self.referrals else None

    @property
    def latest_risk_assessment(self) -> PupilRiskAssessment | None:
        return pre_placement.latest_assessment(self.risk_assessments)


def pupil_records(pupil: Pupil) -> PupilRecords:
    """Everything recorded about the pupil, each list newest first."""
    return PupilRecords(
        carers=carers_of(pupil),
        referrals=_of_pupil(Referral, pupil, Referral.proposed_on.desc(), Referral.id.desc()),
        risk_assessments=_of_pupil(PupilRiskAssessment, pupil, PupilRiskAssessment.assessed_on.desc(),
                                   PupilRiskAssessment.id.desc()),
        consultations=_of_pupil(ParentConsultation, pupil, ParentConsultation.consulted_on.desc(),
                                ParentConsultation.id.desc()),
        involvements=_of_pupil(Involvement, pupil, Involvement.involved_on.desc(), Involvement.id.desc()),
        belonging_actions=_of_pupil(BelongingAction, pupil, BelongingAction.on.desc(), BelongingAction.id.desc()),
        event_risk_assessments=_of_pupil(EventRiskAssessment, pupil, EventRiskAssessment.event_on.desc(),
                                         EventRiskAssessment.id.desc()),
        placements=_of_pupil(Placement, pupil, Placement.start_date.desc(), Placement.id.desc()),
    )


def pre_placement_missing(pupil: Pupil, start_date: dt.date, records: PupilRecords | None = None,
                          placement: Placement | None = None) -> list[pre_placement.Missing]:
    """What the pupil's record still lacks before a placement starting on `start_date` (4.3, 7.4-7.6, 8.8).
    With a placement, consultations about another placement do not count."""
    records = records or pupil_records(pupil)
    consultations = [c for c in records.consultations
                     if c.placement_id is None or (placement is not None and c.placement_id == placement.id)]
    return [*pre_placement.needs_analysis_missing(records.latest_referral),
            *pre_placement.risk_assessment_missing(records.latest_risk_assessment, start_date),
            *pre_placement.parent_consultation_missing(consultations),
            *pre_placement.involvement_missing(pupil, records.involvements)]


def where_to_record(missing: pre_placement.Missing, pupil_id: int, placement_id: int | None = None
                    ) -> tuple[str, dict]:
    """The page where a missing item is done: (endpoint, url_for arguments)."""
    code = missing.code
    if code.startswith("needs_analysis"):
        return "pupils.new_referral", {"pupil_id": pupil_id}
    if code == "risk_assessment.review_overdue" and missing.reviews_id:
        return "pupils.new_risk_assessment", {"pupil_id": pupil_id, "reviews": missing.reviews_id}
    if code.startswith("risk_assessment"):
        return "pupils.new_risk_assessment", {"pupil_id": pupil_id}
    if code == "parent_consultation":
        args = {"pupil_id": pupil_id}
        if placement_id is not None:
            args["placement_id"] = placement_id
        return "pupils.new_consultation", args
    if code.startswith("involvement"):
        return "pupils.new_involvement", {"pupil_id": pupil_id, "party": missing.party}
    return "pupils.show", {"pupil_id": pupil_id}


@dataclass
class SchoolAge:
    status: str  # 'not yet', 'compulsory', 'past'
    starts_on: dt.date
    ends_on: dt.date


def school_age_of(pupil: Pupil, on_date: dt.date | None = None) -> SchoolAge:
    on_date = on_date or clock.today()
    return SchoolAge(compulsory_school_age_status(pupil.date_of_birth, on_date),
                     compulsory_school_age_start(pupil.date_of_birth), compulsory_school_age_end(pupil.date_of_birth))


# --- the timeline -------------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    on: dt.date  # the day it happened (or is about)
    kind: str  # what sort of record, for the page's label
    title: str
    detail: str | None = None
    at: datetime | None = None  # when it was written, to order entries of one day
    who: str | None = None


_AUDIT_WORDS = {"create": "Record created", "update": "Record changed", "archive": "Record archived",
                "restore": "Record restored"}


def _names(user_ids) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def pupil_timeline(pupil: Pupil, records: PupilRecords | None = None) -> list[TimelineEntry]:
    """Everything AP Hub knows about the pupil, newest first: changes to the pupil's record and carers (from the
    audit trail), referrals, risk assessments, consultations, involvements, belonging actions, event risk
    assessments, placements (start, end, status), tasks and external notices about the pupil or their
    placements, and today's compulsory-school-age status."""
    r = records or pupil_records(pupil)
    entries: list[TimelineEntry] = []

    carer_ids = [str(c.id) for c in r.carers]
    audit_rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == pupil.school_id,
        or_((AuditEvent.record_type == "Pupil") & (AuditEvent.record_id == str(pupil.id)),
            (AuditEvent.record_type == "Carer") & AuditEvent.record_id.in_(carer_ids or ["-"])))).all()
    who = _names([a.actor_id for a in audit_rows] + [x.proposed_by_id for x in r.referrals]
                 + [x.assessed_by_id for x in r.risk_assessments] + [x.recorded_by_id for x in r.consultations]
                 + [x.recorded_by_id for x in r.involvements] + [x.recorded_by_id for x in r.belonging_actions]
                 + [x.assessed_by_id for x in r.event_risk_assessments])
    for a in audit_rows:
        changed = sorted(set((a.after or {}).keys()) - {"updated_at", "created_at"}) if a.action == "update" else []
        subject = "Pupil record" if a.record_type == "Pupil" else "Parent or carer"
        entries.append(TimelineEntry(
            on=clock.to_local(a.at).date(), at=a.at, kind="Record",
            title=f"{subject}: {_AUDIT_WORDS.get(a.action, a.action).lower()}",
            detail=("Changed: " + ", ".join(n.replace("_", " ") for n in changed)) if changed else None,
            who=who.get(a.actor_id)))
    for x in r.referrals:
        entries.append(TimelineEntry(x.proposed_on, "Referral", "Referral and needs analysis",
                                     "; ".join(reason_label(c) for c in x.reasons), x.created_at,
                                     who.get(x.proposed_by_id)))
    for x in r.risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Risk assessment",
                                     "Risk assessment reviewed" if x.reviews_id else "Risk assessment",
                                     f"Review due {x.review_due_on:%-d %b %Y}", x.created_at,
                                     who.get(x.assessed_by_id)))
    for x in r.consultations:
        entries.append(TimelineEntry(x.consulted_on, "Consultation", "Parents or carers consulted",
                                     f"Decision: {x.school_decision}", x.created_at, who.get(x.recorded_by_id)))
    for x in r.involvements:
        entries.append(TimelineEntry(x.involved_on, "Involvement", f"{PARTY_LABELS[x.party]} involved",
                                     x.person_name, x.created_at, who.get(x.recorded_by_id)))
    for x in r.belonging_actions:
        entries.append(TimelineEntry(x.on, "Belonging", dict(BELONGING_KINDS).get(x.kind, x.kind), x.note,
                                     x.created_at, who.get(x.recorded_by_id)))
    for x in r.event_risk_assessments:
        entries.append(TimelineEntry(x.assessed_on, "Event risk", f"Event risk assessed: {x.event_name}",
                                     f"Decision: {x.decision}", x.created_at, who.get(x.assessed_by_id)))
    for p in r.placements:
        provider = p.provider.name if p.provider else "provider"
        entries.append(TimelineEntry(p.start_date, "Placement", f"Placement at {provider} starts",
                                     f"Status: {PlacementStatus(p.status).value}", p.created_at))
        if p.ended_on:
            entries.append(TimelineEntry(p.ended_on, "Placement", f"Placement at {provider} ended",
                                         f"Destination: {p.end_destination}" if p.end_destination else None))
    placement_ids = [p.id for p in r.placements] or [-1]
    about = or_((Task.subject_type == "pupil") & (Task.subject_id == pupil.id),
                (Task.subject_type == "placement") & Task.subject_id.in_(placement_ids))
    for t in db.session.scalars(select(Task).where(about)):
        entries.append(TimelineEntry(clock.to_local(t.created_at).date(), "Task", t.title,
                                     f"Due {clock.to_local(t.due_at):%-d %b %Y}, {t.status.value}", t.created_at))
    about = or_((Notification.about_type == "pupil") & (Notification.about_id == pupil.id),
                (Notification.about_type == "placement") & Notification.about_id.in_(placement_ids))
    for n in db.session.scalars(select(Notification).where(about)):
        entries.append(TimelineEntry(clock.to_local(n.created_at).date(), "Notice",
                                     f"Notice to {n.recipient_name or n.recipient_email}: {n.subject}",
                                     f"{n.status.value}", n.created_at))
    from app.services.qa import PROGRESS_LABELS, progress_of

    progress = progress_of(pupil)  # 8.7: progress, achievements and the pupil's own voice
    recorders = _names([x.recorded_by_id for x in progress])
    for x in progress:
        entries.append(TimelineEntry(x.recorded_on, "Progress", PROGRESS_LABELS[x.kind], x.text, x.created_at,
                                     recorders.get(x.recorded_by_id)))
    from app.models import PlacementReview, WelfareCheck

    # 8.2: each formal review with the pupil's own view; KCSIE: each welfare check and what it found.
    reviews = db.session.scalars(select(PlacementReview).where(
        PlacementReview.pupil_id == pupil.id, PlacementReview.archived_at.is_(None))).all()
    checks = db.session.scalars(select(WelfareCheck).where(
        WelfareCheck.pupil_id == pupil.id, WelfareCheck.archived_at.is_(None))).all()
    people = _names([x.recorded_by_id for x in reviews] + [x.recorded_by_id for x in checks])
    for x in reviews:
        entries.append(TimelineEntry(x.held_on, "Review", "Half-termly review held",
                                     f"The pupil's views: {x.pupil_views}", x.created_at, people.get(x.recorded_by_id)))
    for x in checks:
        outcome = x.outcome.value.replace("_", " ") if x.outcome else "not yet made"
        entries.append(TimelineEntry(clock.to_local(x.raised_at).date(), "Welfare check",
                                     f"Welfare check: {outcome}", x.reason.label if x.reason else None,
                                     x.raised_at, people.get(x.recorded_by_id)))
    today = clock.today()
    age = school_age_of(pupil, today)
    entries.append(TimelineEntry(today, "School age", f"Compulsory school age: {age.status}",
                                 f"From {age.starts_on:%-d %b %Y} to {age.ends_on:%-d %b %Y}", None))
    far_past = datetime.min.replace(tzinfo=clock.now().tzinfo)
    entries.sort(key=lambda e: (e.on, e.at or far_past), reverse=True)
    return entries

