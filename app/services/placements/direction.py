"""Off-site direction (section 6): the direction, its approval and the letter."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import OffSiteDirection, Placement, PlacementStatus, User
from app.policy import off_site_direction as direction_rules

from .base import Result, _refused
from .commissioning import _editable
from .readiness import _calendar

# --- off-site direction (section 6) --------------------------------------------------------------------------


@dataclass
class DirectionInput:
    reasons_and_objectives: str | None
    review_on: dt.date | None
    ends_by: dt.date | None
    report_to: str | None


def save_direction(placement: Placement, data: DirectionInput) -> Result:
    """6.1, 6.2: the direction's reasons and objectives, its review and the latest it may run to."""
    errors = _editable(placement)
    if not placement.is_off_site_direction:
        errors["reasons_and_objectives"] = "This placement is not an off-site direction: change the placement first."
    if not (data.reasons_and_objectives or "").strip():
        errors["reasons_and_objectives"] = "Enter the reasons for the direction and its objectives."
    errors.update(direction_rules.time_limit_problems(placement.start_date, data.review_on, data.ends_by))
    if len((data.report_to or "").strip()) > 200:
        errors["report_to"] = "Keep this to 200 characters."
    if errors:
        return _refused(errors)
    direction = placement.off_site_direction
    if direction is None:
        direction = OffSiteDirection(school_id=placement.school_id, placement=placement,
                                     reasons_and_objectives="", review_on=data.review_on, ends_by=data.ends_by)
        db.session.add(direction)
    direction.reasons_and_objectives = data.reasons_and_objectives.strip()
    direction.review_on = data.review_on
    direction.ends_by = data.ends_by
    direction.report_to = (data.report_to or "").strip() or None
    db.session.commit()
    return Result(record=direction)


def record_direction_approval(direction: OffSiteDirection, approved_on: dt.date | None, reference: str | None,
                              by: User) -> Result:
    """6.4: the governing body's approval, recorded by the designated governor (or the headteacher on the
    governing body's behalf). It must come before the direction starts."""
    placement = direction.placement
    errors: dict[str, str] = {}
    if placement.status != PlacementStatus.PLANNED:
        errors["approved_on"] = "Approval is recorded before the direction starts."
    if approved_on is None:
        errors["approved_on"] = "Enter the date the governing body approved the direction."
    elif approved_on > clock.today():
        errors["approved_on"] = "The approval cannot be dated in the future."
    elif approved_on > placement.start_date:
        errors["approved_on"] = "The governing body approves a direction before it starts (6.4)."
    if not (reference or "").strip():
        errors["reference"] = "Enter the meeting or minute that records the approval."
    if errors:
        return _refused(errors)
    direction.governing_body_approved_on = approved_on
    direction.governing_body_approval_reference = reference.strip()[:200]
    direction.approval_recorded_by_id = by.id
    db.session.commit()
    return Result(record=direction)


def school_directions() -> list[OffSiteDirection]:
    """The current school's off-site directions, oldest first."""
    return list(db.session.scalars(select(OffSiteDirection).where(OffSiteDirection.archived_at.is_(None))
                                   .order_by(OffSiteDirection.id)))


def letter_due_by(direction: OffSiteDirection) -> dt.date | None:
    return direction_rules.latest_letter_date(direction.placement.start_date, _calendar())


def record_letter_sent(direction: OffSiteDirection, sent_on: dt.date | None, by: User) -> Result:
    """6.5: the letter to parents recorded as sent, on a date at least 2 school days before the start."""
    if sent_on is None:
        return _refused({"sent_on": "Enter the date the letter was sent."})
    errors = _editable(direction.placement)
    problem = direction_rules.letter_date_problem(sent_on, direction.placement.start_date, letter_due_by(direction),
                                                  clock.today())
    if problem:
        errors["sent_on"] = problem
    if errors:
        return _refused(errors)
    direction.parents_letter_sent_on = sent_on
    direction.parents_letter_recorded_by_id = by.id
    db.session.commit()
    return Result(record=direction)


def direction_days(direction: OffSiteDirection) -> int | None:
    """The number of days the letter gives: school days with a session from the start to the latest end."""
    placement = direction.placement
    calendar = _calendar()
    if not (calendar.covers(placement.start_date) and calendar.covers(direction.ends_by)):
        return None
    return direction_rules.number_of_days(placement.start_date, direction.ends_by,
                                          {s.weekday for s in placement.weekly_sessions}, calendar)
