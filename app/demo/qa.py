"""Demo quality assurance (8.4-8.7): a visit to the provider of the demo's active placement with everything 8.4
lists, two follow-up actions (one open for the AP leader, in their tasks; one done by the DSL), and the pupil's
progress and own assessment of the provision on their timeline. Fictional text only."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    FollowUpAction,
    FollowUpStatus,
    Placement,
    PlacementStatus,
    ProgressKind,
    PupilProgressEntry,
    QAActivity,
    QAActivityKind,
    School,
    SchoolRole,
)
from app.roles import SchoolRoleName
from app.services.qa import ensure_follow_up_task
from tenants import school_scope

log = logging.getLogger(__name__)


def _holder(school_id: int, role: SchoolRoleName) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school_id,
                                                              SchoolRole.role == role).order_by(SchoolRole.id))


def seed_qa(trust) -> None:
    """Called after the demo placements, inside the demo seed's system scope (the seed commits)."""
    placement = db.session.scalar(
        select(Placement).join(School, School.id == Placement.school_id)
        .where(School.trust_id == trust.id, Placement.status == PlacementStatus.ACTIVE).order_by(Placement.id))
    today = clock.today()
    if placement is None or placement.start_date > today:
        log.warning("demo QA skipped: no started active demo placement")
        return
    leader_id = _holder(placement.school_id, SchoolRoleName.AP_LEADER)
    dsl_id = _holder(placement.school_id, SchoolRoleName.DSL) or leader_id
    if leader_id is None:
        log.warning("demo QA skipped: the placement's school has no AP leader")
        return
    held_on = max(placement.start_date, today - dt.timedelta(days=7))
    with school_scope(placement.school_id):
        visit = QAActivity(
            school_id=placement.school_id, provider_id=placement.provider_id, placement_id=placement.id,
            kind=QAActivityKind.PROVIDER_VISIT, held_on=held_on, recorded_by_id=leader_id,
            staff_spoken_with="The learning manager and the pupil's key worker",
            pupils_spoken_with=f"{placement.pupil.first_name}, on their own and in the workshop",
            parents_spoken_with="Mum, by phone the same afternoon",
            work_reviewed="Maths and English folders since the start; the workshop log book",
            lessons_observed="A small-group maths lesson and a practical workshop session",
            unstructured_time_observed="Morning break and lunch in the common room",
            findings="Warm relationships and work well matched to need. Lunch supervision is thin when the "
                     "workshop runs over; the provider agreed to change the rota.")
        db.session.add(visit)
        db.session.flush()
        actions = [
            FollowUpAction(school_id=placement.school_id, qa_activity_id=visit.id, provider_id=placement.provider_id,
                           description="Ask the provider for the new lunch supervision rota", owner_id=leader_id,
                           due_on=today + dt.timedelta(days=7)),
            FollowUpAction(school_id=placement.school_id, qa_activity_id=visit.id, provider_id=placement.provider_id,
                           description="Send the provider the pupil's updated safety plan", owner_id=dsl_id,
                           due_on=held_on + dt.timedelta(days=2), status=FollowUpStatus.DONE,
                           outcome_note="Sent by secure email", completed_at=clock.now(), completed_by_id=dsl_id),
        ]
        db.session.add_all(actions)
        db.session.flush()
        ensure_follow_up_task(actions[0], visit)
        for kind, text in ((ProgressKind.ACHIEVEMENT, "Completed the first workshop safety certificate"),
                           (ProgressKind.PUPIL_ASSESSMENT, "The staff listen to me and I like doing practical "
                                                           "things. I want more help with maths.")):
            db.session.add(PupilProgressEntry(school_id=placement.school_id, pupil_id=placement.pupil_id,
                                              placement_id=placement.id, kind=kind, recorded_on=held_on, text=text,
                                              recorded_by_id=leader_id))
