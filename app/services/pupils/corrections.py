"""Correcting what precedes a placement (issue 14 item 8): a carer, a referral, a risk assessment, a
consultation, an involvement. Each correction runs the checks its record was added with (`*_checked`), so a
corrected record obeys the same rules; the audit trail keeps the values it had. Archiving with a reason is
app.services.corrections, the same for every kind.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Carer,
    Involvement,
    ParentConsultation,
    Pupil,
    PupilRiskAssessment,
    Referral,
)
from app.services.results import Result
from tenants.access import school_record_or_404

from .pre_placement import consultation_checked, involvement_checked, referral_checked, risk_assessment_checked
from .record import ARCHIVED_LABELS, PupilRecords, carer_checked
from .values import _commit

CORRECTABLE = (Carer, Referral, PupilRiskAssessment, ParentConsultation, Involvement)


def access_record(model, record_id: int, *, include_archived: bool = False):
    """One of the current school's pre-placement records (or a carer), or 404."""
    assert model in CORRECTABLE
    return school_record_or_404(model, record_id, include_archived=include_archived)


def _save(record, cleaned: dict, errors: dict[str, str], errors_on: str) -> Result:
    if errors:
        return Result(errors=errors)
    for name, value in cleaned.items():
        setattr(record, name, value)
    return _commit(record, errors_on, "The correction could not be saved.")


def correct_carer(carer: Carer, values: Mapping) -> Result:
    return _save(carer, *carer_checked(values), "name")


def correct_referral(referral: Referral, values: Mapping) -> Result:
    return _save(referral, *referral_checked(values), "academic_needs")


def correct_risk_assessment(assessment: PupilRiskAssessment, values: Mapping) -> Result:
    """A review stays dated on or after the assessment it reviews, as when it was made."""
    reviews = db.session.get(PupilRiskAssessment, assessment.reviews_id) if assessment.reviews_id else None
    return _save(assessment, *risk_assessment_checked(values, reviews), "risks")


def correct_consultation(consultation: ParentConsultation, values: Mapping) -> Result:
    return _save(consultation, *consultation_checked(db.session.get(Pupil, consultation.pupil_id), values),
                 "carer_views")


def correct_involvement(involvement: Involvement, values: Mapping) -> Result:
    return _save(involvement, *involvement_checked(values), "person_name")


def archived_records(pupil: Pupil, records: PupilRecords | None = None) -> list[tuple[str, object]]:
    """The pupil's archived records (hidden from the page's lists), newest archived first, each with its kind;
    from `records` where they were read `with_archived`."""
    labels = dict(ARCHIVED_LABELS)
    if records is not None and records.archived is not None:
        # In the order the kinds' own queries gave (kind, then id), so records archived at one instant stay put.
        found = [(labels[model], r) for model, _label in ARCHIVED_LABELS
                 for r in sorted((r for r in records.archived if type(r) is model), key=lambda r: r.id)]
    else:
        found = []
        for model, label in ARCHIVED_LABELS:
            found += [(label, r) for r in db.session.scalars(select(model).where(
                model.pupil_id == pupil.id, model.archived_at.is_not(None)))]
    return sorted(found, key=lambda item: item[1].archived_at, reverse=True)
