"""The pupil record and carers, and reading a pupil's records."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.input_edges import escape_like
from app.models import (
    BelongingAction,
    Carer,
    EventRiskAssessment,
    Involvement,
    ParentConsultation,
    Placement,
    PlacementStatus,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    Referral,
    User,
)
from app.policy import pre_placement
from app.policy.school_age import compulsory_school_age_end, compulsory_school_age_start, compulsory_school_age_status
from app.services.record_kinds import Kind, load_kinds
from app.services.results import Result
from tenants.access import school_record_or_404
from tenants.context import require_school_id

from .values import _bool, _commit, _email_problem, _required, _text, upn_problem

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


def restore_pupil(pupil: Pupil, by: User) -> Result:
    """An archived pupil back on the list (issue 14 item 8); the audit trail records the restore."""
    if not pupil.is_archived:
        return Result(errors={"pupil": "This pupil is not archived."})
    pupil.archived_at = None
    pupil.archived_by_id = None
    return _commit(pupil, "pupil", "The pupil could not be restored.")


def access_pupil(pupil_id: int, *, include_archived: bool = True) -> Pupil:
    """A pupil of the current school, or 404 (another school's id is not found, never forbidden)."""
    return school_record_or_404(Pupil, pupil_id, include_archived=include_archived)


def access_pupil_for_page(pupil_id: int) -> Pupil:
    """`access_pupil` for the pupil's own page: with the responsible local authority its part-time section names
    joined into the same statement (issue 18)."""
    return school_record_or_404(Pupil, pupil_id, include_archived=True,
                                options=(joinedload(Pupil.responsible_local_authority),))


PAGE_SIZE = 50


@dataclass
class PupilPage:
    pupils: list[Pupil]
    total: int
    page: int
    pages: int
    search: str


def school_pupils() -> list[Pupil]:
    """The current school's pupils on roll (not archived), by name: the choices of a pupil on the forms."""
    return list(db.session.scalars(select(Pupil).where(Pupil.archived_at.is_(None))
                                   .order_by(Pupil.last_name, Pupil.first_name)))


def _pupils_query(search: str, include_archived: bool):
    query = select(Pupil)
    if not include_archived:
        query = query.where(Pupil.archived_at.is_(None))
    if search:
        like = f"%{escape_like(search.lower())}%"
        query = query.where(or_(*(func.lower(column).like(like, escape="\\") for column in
                                  (Pupil.first_name, Pupil.last_name, Pupil.preferred_name, Pupil.upn))))
    return query


def search_pupils(search: str | None = None) -> list[Pupil]:
    """Every pupil of this school (not archived) matching `search`, by id (the API pages them itself)."""
    return list(db.session.scalars(_pupils_query((search or "").strip(), False).order_by(Pupil.id)))


def list_pupils(search: str | None = None, page: int = 1, include_archived: bool = False) -> PupilPage:
    """This school's pupils by last name, PAGE_SIZE at a time; `search` matches any part of a name or the UPN."""
    search = (search or "").strip()
    query = _pupils_query(search, include_archived)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.scalars(query.order_by(Pupil.last_name, Pupil.first_name, Pupil.id)
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return PupilPage(pupils=list(rows), total=total, page=page, pages=pages, search=search)


# --- carers -------------------------------------------------------------------------------------------------


def carer_checked(values: Mapping) -> tuple[dict, dict[str, str]]:
    """A carer's values cleaned, and every problem with them by field (adding and correcting share it)."""
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
    cleaned.update(lives_with=_bool(values, "lives_with"),
                   has_parental_responsibility=_bool(values, "has_parental_responsibility"))
    return cleaned, errors


def add_carer(pupil: Pupil, values: Mapping, by: User | None = None) -> Result:
    cleaned, errors = carer_checked(values)
    if errors:
        return Result(errors=errors)
    carer = Carer(school_id=pupil.school_id, pupil_id=pupil.id, **cleaned)
    db.session.add(carer)
    return _commit(carer, "name", "The carer could not be saved.")


def carers_of(pupil: Pupil) -> list[Carer]:
    return list(db.session.scalars(select(Carer).where(Carer.pupil_id == pupil.id, Carer.archived_at.is_(None))
                                   .order_by(Carer.id)))


# --- reading a pupil's records ------------------------------------------------------------------------------


# The kinds of the pupil's records their page lists once archived (app.services.pupils.corrections), by label.
ARCHIVED_LABELS = ((Carer, "Parent or carer"), (Referral, "Referral"), (PupilRiskAssessment, "Risk assessment"),
                   (ParentConsultation, "Consultation"), (Involvement, "Involvement"),
                   (PupilProgressEntry, "Progress record"))


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
    # Read only with `with_archived` (the pupil's page): progress entries, and the archived records of the kinds
    # in ARCHIVED_LABELS, so the page's timeline and its list of archived records need no query of their own.
    progress: list[PupilProgressEntry] | None = None
    archived: list | None = None

    @property
    def latest_referral(self) -> Referral | None:
        return self.referrals[0] if self.referrals else None

    @property
    def latest_risk_assessment(self) -> PupilRiskAssessment | None:
        return pre_placement.latest_assessment(self.risk_assessments)


# Each kind of the pupil's records and its order: newest first, carers in the order added. Progress is read only
# `with_archived` (the pupil's page).
_RECORD_KINDS = {
    "carers": (Carer, ("id",)), "referrals": (Referral, ("-proposed_on", "-id")),
    "risk_assessments": (PupilRiskAssessment, ("-assessed_on", "-id")),
    "consultations": (ParentConsultation, ("-consulted_on", "-id")),
    "involvements": (Involvement, ("-involved_on", "-id")), "belonging_actions": (BelongingAction, ("-on", "-id")),
    "event_risk_assessments": (EventRiskAssessment, ("-event_on", "-id")),
    "placements": (Placement, ("-start_date", "-id")), "progress": (PupilProgressEntry, ("-recorded_on", "-id")),
}


def pupil_records(pupil: Pupil, with_archived: bool = False) -> PupilRecords:
    """Everything recorded about the pupil, each list newest first (carers in the order added), in one statement
    (app.services.record_kinds). With `with_archived`, also the pupil's progress and the archived records of
    ARCHIVED_LABELS' kinds, read in the same statement."""
    keep_archived = {model for model, _label in ARCHIVED_LABELS} if with_archived else set()
    kinds = {}
    for name, (model, order) in _RECORD_KINDS.items():
        if name == "progress" and not with_archived:
            continue
        where = [model.pupil_id == pupil.id, model.school_id == pupil.school_id]
        if hasattr(model, "archived_at") and model not in keep_archived:
            where.append(model.archived_at.is_(None))
        # Each placement's provider joined in (the timeline and the list name it).
        options = (lambda mapped: joinedload(mapped.provider),) if model is Placement else ()
        kinds[name] = Kind(model, tuple(where), order, options)
    found = load_kinds(kinds)
    current = {name: [r for r in rows if getattr(r, "archived_at", None) is None] for name, rows in found.items()}
    records = PupilRecords(**{name: current[name] for name in _RECORD_KINDS if name != "progress"})
    if with_archived:
        records.progress = current["progress"]
        records.archived = [r for rows in found.values() for r in rows if getattr(r, "archived_at", None)]
    return records


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


@dataclass
class SchoolAge:
    status: str  # 'not yet', 'compulsory', 'past'
    starts_on: dt.date
    ends_on: dt.date


def school_age_of(pupil: Pupil, on_date: dt.date | None = None) -> SchoolAge:
    on_date = on_date or clock.today()
    return SchoolAge(compulsory_school_age_status(pupil.date_of_birth, on_date),
                     compulsory_school_age_start(pupil.date_of_birth), compulsory_school_age_end(pupil.date_of_birth))
