"""Recording a review (8.2): its input and checks, the attendance since the last review, which obligation it
meets."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    AttendanceSession,
    Placement,
    PlacementReview,
    PlacementStatus,
    Task,
    User,
)
from app.policy.attendance import SessionMark, attendance_percentage
from app.school_calendar import SchoolCalendar
from app.services.results import Result, refused
from app.services.tasks import complete_task

from .records import (
    LONG_TEXT,
    _calendar,
    _clean,
    _met_keys,
    _obligations,
    _open_review_tasks,
)
from .sharing import share_review_information


@dataclass
class ReviewInput:
    held_on: dt.date | None
    pupil_attended: bool = False
    parents_attended: bool = False
    provider_attended: bool = False
    school_attended: bool = True
    local_authority_attended: bool = False
    virtual_school_attended: bool = False
    social_worker_attended: bool = False
    attendees_note: str | None = None
    attendance_note: str | None = None
    progress_against_aims: str | None = None
    pupil_views: str | None = None
    parents_views: str | None = None
    changes_agreed: str | None = None
    reintegration_steps: str | None = None
    next_review_on: dt.date | None = None
    risk_assessment_reviewed: bool = False


REQUIRED_TEXT = {
    "progress_against_aims": "Enter the progress against the placement's aims.",
    "pupil_views": "Enter the pupil's views.",
    "parents_views": "Enter the parents' or carers' views (or why they could not give them).",
}
OPTIONAL_TEXT = ("attendees_note", "attendance_note", "changes_agreed", "reintegration_steps")



def review_errors(placement: Placement, data: ReviewInput, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if placement.status not in (PlacementStatus.ACTIVE, PlacementStatus.ENDED):
        errors["held_on"] = f"This placement is {placement.status.value}: only a started placement is reviewed."
    elif data.held_on is None:
        errors["held_on"] = "Enter the date the review was held."
    elif data.held_on > today:
        errors["held_on"] = "The review date cannot be in the future: record a review once it is held."
    elif data.held_on < placement.start_date:
        errors["held_on"] = f"The review date is before the placement started ({placement.start_date:%-d %B %Y})."
    for name, message in REQUIRED_TEXT.items():
        value = _clean(getattr(data, name))
        if value is None:
            errors[name] = message
        elif len(value) > LONG_TEXT:
            errors[name] = f"Keep this under {LONG_TEXT:,} characters."
    for name in OPTIONAL_TEXT:
        if len(_clean(getattr(data, name)) or "") > LONG_TEXT:
            errors[name] = f"Keep this under {LONG_TEXT:,} characters."
    if data.next_review_on is not None and data.held_on is not None and data.next_review_on <= data.held_on:
        errors["next_review_on"] = "The next review date must be after this review."
    return errors


def attendance_since_last_review(placement: Placement, until: dt.date,
                                 exclude_review_id: int | None = None) -> tuple[dt.date, float | None]:
    """4.5, 8.2: attendance at the provider from the day after the last review (or the placement's start) up to
    `until`, from the confirmed sessions, as app.policy.attendance counts it. Returns (from, percentage)."""
    query = select(func.max(PlacementReview.held_on)).where(
        PlacementReview.placement_id == placement.id, PlacementReview.held_on < until,
        PlacementReview.archived_at.is_(None))
    if exclude_review_id is not None:
        query = query.where(PlacementReview.id != exclude_review_id)
    last = db.session.scalar(query)
    start = last + dt.timedelta(days=1) if last else placement.start_date
    marks = [SessionMark(day, session.value, code) for day, session, code in db.session.execute(
        select(AttendanceSession.day, AttendanceSession.session, AttendanceSession.register_code).where(
            AttendanceSession.placement_id == placement.id, AttendanceSession.day >= start,
            AttendanceSession.day <= until))]
    return start, attendance_percentage(marks)


def _obligation_met_by(placement: Placement, held_on: dt.date, calendar: SchoolCalendar) -> tuple[str | None,
                                                                                                 Task | None]:
    """Which review obligation a review held now meets: the placement's earliest open review task, else this
    half-term's earliest obligation not yet met (so the sweep makes no task for it); None for an extra review."""
    tasks = _open_review_tasks([placement.id])
    if tasks:
        return tasks[0].dedupe_key, tasks[0]
    met = _met_keys([placement.id])
    for obligation in _obligations(placement, calendar, held_on):
        if obligation.dedupe_key not in met and db.session.scalar(
                select(Task.id).where(Task.dedupe_key == obligation.dedupe_key)) is None:
            return obligation.dedupe_key, None
    return None, None


def record_review(placement: Placement, data: ReviewInput, by: User, calendar: SchoolCalendar | None = None) -> Result:
    """8.2: record a review held with the pupil and parents, with the attendance since the last review as it
    stands; it completes the review task it meets, and (8.8) queues its key information to the LA SEND contact,
    the social worker and the Virtual School Head as the pupil's circumstances require, in the same commit.
    Refused, with nothing written, when an answer is missing or a recipient has no email address."""
    today = clock.today()
    errors = review_errors(placement, data, today)
    if errors:
        return refused(errors)
    calendar = calendar or _calendar()
    key, task = _obligation_met_by(placement, data.held_on, calendar)
    attendance_from, percentage = attendance_since_last_review(placement, data.held_on)
    review = PlacementReview(
        placement_id=placement.id, pupil_id=placement.pupil_id, dedupe_key=key, held_on=data.held_on,
        pupil_attended=data.pupil_attended, parents_attended=data.parents_attended,
        provider_attended=data.provider_attended, school_attended=data.school_attended,
        local_authority_attended=data.local_authority_attended,
        virtual_school_attended=data.virtual_school_attended, social_worker_attended=data.social_worker_attended,
        attendees_note=_clean(data.attendees_note), attendance_from=attendance_from,
        attendance_percentage=None if percentage is None else Decimal(str(round(percentage, 1))),
        attendance_note=_clean(data.attendance_note), progress_against_aims=_clean(data.progress_against_aims),
        pupil_views=_clean(data.pupil_views), parents_views=_clean(data.parents_views),
        changes_agreed=_clean(data.changes_agreed), reintegration_steps=_clean(data.reintegration_steps),
        next_review_on=data.next_review_on, risk_assessment_reviewed=data.risk_assessment_reviewed,
        recorded_by_id=by.id,
    )
    db.session.add(review)
    db.session.flush()  # its id goes into the notices' keys
    if task is not None:
        complete_task(task, by)
    problem = share_review_information(review)
    if problem:
        return refused({"information_sharing": problem})
    db.session.commit()
    return Result(record=review)


def correct_review(review: PlacementReview, data: ReviewInput) -> Result:
    """Issue 14 item 8: put a review right; the audit trail keeps what it said before. A new date recounts the
    attendance since the last review. The obligation it met, its task and what was shared (8.8) stay as they
    were: the LA, social worker or Virtual School are not sent it again."""
    placement = review.placement
    errors = review_errors(placement, data, clock.today())
    if errors:
        return refused(errors)
    if data.held_on != review.held_on:
        attendance_from, percentage = attendance_since_last_review(placement, data.held_on,
                                                                   exclude_review_id=review.id)
        review.attendance_from = attendance_from
        review.attendance_percentage = None if percentage is None else Decimal(str(round(percentage, 1)))
    text = {*REQUIRED_TEXT, *OPTIONAL_TEXT}
    for name in ReviewInput.__dataclass_fields__:
        value = getattr(data, name)
        setattr(review, name, _clean(value) if name in text else value)
    db.session.commit()
    return Result(record=review)
