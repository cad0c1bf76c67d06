"""Demo half-termly reviews (8.2): a review of the demo's active placement and of its ended one, with the pupil's
and parents' views. Fictional text only. The review tasks themselves come from the daily sweep."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementReview, PlacementStatus, School, SchoolRole
from app.roles import SchoolRoleName
from app.services.reviews import attendance_since_last_review

log = logging.getLogger(__name__)


def seed_reviews(trust) -> None:
    """Called after the demo placements, inside the demo seed's system scope."""
    today = clock.today()
    placements = db.session.scalars(
        select(Placement).join(School, School.id == Placement.school_id)
        .where(School.trust_id == trust.id, Placement.status.in_([PlacementStatus.ACTIVE, PlacementStatus.ENDED]))
        .order_by(Placement.id)).all()
    for placement in placements:
        leader_id = db.session.scalar(select(SchoolRole.user_id).where(
            SchoolRole.school_id == placement.school_id, SchoolRole.role == SchoolRoleName.AP_LEADER))
        held_on = (placement.ended_on - dt.timedelta(days=10) if placement.status == PlacementStatus.ENDED
                   else min(today - dt.timedelta(days=7), placement.start_date + dt.timedelta(days=14)))
        if leader_id is None or held_on < placement.start_date:
            continue
        attendance_from, percentage = attendance_since_last_review(placement, held_on)
        db.session.add(PlacementReview(
            school_id=placement.school_id, placement_id=placement.id, pupil_id=placement.pupil_id, held_on=held_on,
            pupil_attended=True, parents_attended=True, provider_attended=True, school_attended=True,
            attendees_note="The pupil, their mum, the provider's learning manager and the AP leader",
            attendance_from=attendance_from,
            attendance_percentage=None if percentage is None else round(percentage, 1),
            attendance_note="Two late starts after the bus changed its timetable",
            progress_against_aims="Working steadily towards Entry Level 3 maths; settles quickly each morning",
            pupil_views="Likes the practical work and the smaller groups; wants more time on maths",
            parents_views="Pleased with how settled they are; would like a weekly update by phone",
            changes_agreed="A weekly phone call to parents on Fridays", reintegration_steps=(
                "One morning a week back in school lessons from next half-term, with a key adult"),
            next_review_on=held_on + dt.timedelta(weeks=6), risk_assessment_reviewed=True,
            recorded_by_id=leader_id))
    if not placements:
        log.warning("demo reviews skipped: no active or ended demo placement")
