"""The pupil's progress and voice (8.7): progress, achievements and the pupil's own assessment."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import (
    Placement,
    ProgressKind,
    Pupil,
    PupilProgressEntry,
    User,
)
from app.services.results import Result, refused

from .base import (
    _clean,
    _too_long,
)


@dataclass
class ProgressInput:
    kind: str | None = None
    recorded_on: dt.date | None = None
    text: str | None = None
    placement_id: int | None = None


def progress_errors(pupil: Pupil, data: ProgressInput) -> dict[str, str]:
    """Every problem with a progress record, by field (recording and correcting share it)."""
    errors = {}
    if data.kind not in {k.value for k in ProgressKind}:
        errors["kind"] = "Choose progress, an achievement or the pupil's own assessment of the provision."
    if data.recorded_on is None:
        errors["recorded_on"] = "Enter the date."
    elif data.recorded_on > clock.today():
        errors["recorded_on"] = "The date cannot be in the future."
    text = _clean(data.text)
    if text is None:
        errors["text"] = ("Enter the pupil's own words about the provision." if data.kind == ProgressKind.PUPIL_ASSESSMENT
                          else "Describe the progress or achievement.")
    _too_long(errors, "text", text)
    if data.placement_id:
        placement = db.session.get(Placement, data.placement_id)
        if placement is None or placement.is_archived or placement.pupil_id != pupil.id:
            errors["placement_id"] = "Choose one of this pupil's placements."
    return errors


def record_progress(pupil: Pupil, data: ProgressInput, by: User) -> Result:
    """8.7: a record of the pupil's progress, an achievement, or the pupil's own assessment of the provision."""
    errors = progress_errors(pupil, data)
    if errors:
        return refused(errors)
    text = _clean(data.text)
    entry = PupilProgressEntry(pupil_id=pupil.id, placement_id=data.placement_id or None, kind=ProgressKind(data.kind),
                               recorded_on=data.recorded_on, text=text, recorded_by_id=by.id)
    db.session.add(entry)
    db.session.commit()
    return Result(record=entry)


def correct_progress(entry: PupilProgressEntry, data: ProgressInput) -> Result:
    """Issue 14 item 8: put a progress record right; the audit trail keeps what it said before."""
    errors = progress_errors(db.session.get(Pupil, entry.pupil_id), data)
    if errors:
        return refused(errors)
    entry.kind, entry.recorded_on, entry.text = ProgressKind(data.kind), data.recorded_on, _clean(data.text)
    entry.placement_id = data.placement_id or None
    db.session.commit()
    return Result(record=entry)


def progress_of(pupil: Pupil) -> list[PupilProgressEntry]:
    return list(db.session.scalars(
        select(PupilProgressEntry).where(PupilProgressEntry.pupil_id == pupil.id,
                                         PupilProgressEntry.archived_at.is_(None))
        .order_by(PupilProgressEntry.recorded_on.desc(), PupilProgressEntry.id.desc())))


def pupil_placements(pupil: Pupil) -> list[Placement]:
    return list(db.session.scalars(
        select(Placement).where(Placement.pupil_id == pupil.id, Placement.archived_at.is_(None))
        .options(selectinload(Placement.provider)).order_by(Placement.start_date.desc())))
