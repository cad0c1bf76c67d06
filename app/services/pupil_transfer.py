"""A pupil moving school within the trust (issue 19, item 6): their AP record moves to the new school, with an
audit event in both schools' trails. A trust operation (it crosses schools by design): run in the system scope by
the designated trustee's command, never from a school's page.

What moves: the pupil and every record of theirs (the retention schedule's pupil-file records, placements with
their agreements, timetables and directions, attendance, subject access requests). What the old school keeps:
the notices it sent (its own correspondence, kept as its schedule says) and the audit trail (kept). Its open tasks
about the pupil are cancelled: the work is the new school's now.
"""
from __future__ import annotations

from sqlalchemy import select, update

from app.audit import record_event
from app.extensions import db
from app.models import (
    AttendanceSession,
    OffSiteDirection,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Pupil,
    SubjectAccessRequest,
    Task,
    TaskStatus,
    WeeklySession,
)
from app.roles import TrustRoleName
from app.services.figure_cache import records_changed
from app.services.results import Result, refused
from app.services.retention import PUPIL_FILE_MODELS

MOVED_WITH_PUPIL = (*PUPIL_FILE_MODELS, Placement, AttendanceSession, SubjectAccessRequest)
MOVED_WITH_PLACEMENT = (PlacementAgreement, WeeklySession, OffSiteDirection)


def transfer_pupil(pupil_id: int, to_school_id: int, by_user) -> Result:
    """Move the pupil's record to another school of the trust, in one transaction. Refused (nothing moved) for a
    pupil with a planned or active placement (end it first: the placement is the old school's commission), or
    whose UPN the new school already holds. Only the designated trustee may do it. Commits."""
    if not any(tr.role is TrustRoleName.DESIGNATED_TRUSTEE for tr in by_user.trust_roles):
        return refused({"by": "Only the designated trustee moves a pupil between schools"})
    pupil = db.session.get(Pupil, pupil_id)
    if pupil is None:
        return refused({"pupil_id": "No such pupil"})
    from_school_id = pupil.school_id
    if from_school_id == to_school_id:
        return refused({"to_school": "The pupil is at that school already"})
    if db.session.scalar(select(Pupil.id).where(Pupil.school_id == to_school_id, Pupil.upn == pupil.upn)):
        return refused({"to_school": "The new school already has a pupil with this UPN: merge them by hand"})
    if db.session.scalar(select(Placement.id).where(
            Placement.pupil_id == pupil_id,
            Placement.status.in_([PlacementStatus.PLANNED, PlacementStatus.ACTIVE]))):
        return refused({"pupil_id": "End the pupil's planned or active placements before the move"})
    connection = db.session.connection()  # Core: the trail gets one event per school, not a row-by-row copy
    placement_ids = list(db.session.scalars(select(Placement.id).where(Placement.pupil_id == pupil_id)))
    moved = 0
    for model in MOVED_WITH_PLACEMENT:
        moved += connection.execute(update(model.__table__).where(model.placement_id.in_(placement_ids))
                                    .values(school_id=to_school_id)).rowcount
    for model in MOVED_WITH_PUPIL:
        moved += connection.execute(update(model.__table__).where(model.pupil_id == pupil_id)
                                    .values(school_id=to_school_id)).rowcount
    connection.execute(update(Pupil.__table__).where(Pupil.id == pupil_id).values(school_id=to_school_id))
    connection.execute(update(Task.__table__).where(
        Task.school_id == from_school_id, Task.status == TaskStatus.OPEN,
        Task.subject_type.in_(["pupil", "Pupil"]), Task.subject_id == pupil_id).values(status=TaskStatus.CANCELLED))
    for school_id, direction in ((from_school_id, f"to school {to_school_id}"),
                                 (to_school_id, f"from school {from_school_id}")):
        record_event(db.session, "transfer", "Pupil", pupil_id, school_id=school_id, actor_id=by_user.id,
                     detail=f"moved {direction} with {moved} records")
    db.session.commit()
    records_changed([from_school_id, to_school_id])  # Core writes: no flush saw them (app.services.figure_cache)
    db.session.expire_all()
    return Result(record=pupil)
