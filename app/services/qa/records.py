"""Finding QA records in the current school (404 for another school's) and listing them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.extensions import db
from app.models import (
    FollowUpAction,
    FollowUpStatus,
    Placement,
    PlacementStatus,
    Provider,
    Pupil,
    QAActivity,
    SchoolRole,
    User,
)
from app.permissions import SCHOOL_ROLE_PERMISSIONS, Permission
from app.policy.qa import follow_up_overdue
from tenants import require_school_id
from tenants.access import school_record_or_404


def access_activity(qa_activity_id: int) -> QAActivity:
    return school_record_or_404(QAActivity, qa_activity_id)


def access_follow_up(follow_up_id: int) -> FollowUpAction:
    return school_record_or_404(FollowUpAction, follow_up_id, what="follow-up action")


def access_pupil(pupil_id: int) -> Pupil:
    return school_record_or_404(Pupil, pupil_id)


def providers_placed_with() -> list[Provider]:
    """The providers of the school's planned, active or ended placements, by name."""
    return list(db.session.scalars(
        select(Provider).where(Provider.id.in_(select(Placement.provider_id).where(
            Placement.archived_at.is_(None),
            Placement.status.in_([PlacementStatus.PLANNED, PlacementStatus.ACTIVE, PlacementStatus.ENDED]))))
        .order_by(Provider.name)))


def placements_for_qa() -> list[Placement]:
    """The school's active and ended placements (a QA activity with the pupil is about one of them)."""
    return list(db.session.scalars(
        select(Placement).where(Placement.archived_at.is_(None),
                                Placement.status.in_([PlacementStatus.ACTIVE, PlacementStatus.ENDED]))
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))
        .order_by(Placement.status, Placement.start_date.desc(), Placement.id)))


def school_staff() -> list[User]:
    """Who may own a follow-up action (8.6): the school's staff who see QA records (AP leader, DSL, headteacher),
    so the owner can open the action and close it."""

    roles = [role for role, granted in SCHOOL_ROLE_PERMISSIONS.items() if Permission.QA_VIEW in granted]
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(SchoolRole.user_id).where(SchoolRole.school_id == require_school_id(),
                                                                        SchoolRole.role.in_(roles))),
                           User.is_enabled.is_(True), User.archived_at.is_(None))
        .order_by(User.full_name, User.id)))


def activities(provider_id: int | None = None, placement_id: int | None = None) -> list[QAActivity]:
    query = select(QAActivity).where(QAActivity.archived_at.is_(None))
    if provider_id is not None:
        query = query.where(QAActivity.provider_id == provider_id)
    if placement_id is not None:
        query = query.where(QAActivity.placement_id == placement_id)
    # Each record names its provider and its placement's pupil: joined in, not a lazy load a record (issue 18).
    details = (joinedload(QAActivity.provider), joinedload(QAActivity.placement).joinedload(Placement.pupil))
    return list(db.session.scalars(query.options(*details)
                                   .order_by(QAActivity.held_on.desc(), QAActivity.id.desc())))


def follow_ups(status: FollowUpStatus | None = None, overdue_only: bool = False,
               today: dt.date | None = None) -> list[FollowUpAction]:
    """The school's follow-up actions, open first and soonest due first."""
    today = today or clock.today()
    query = select(FollowUpAction).where(FollowUpAction.archived_at.is_(None))
    if status is not None:
        query = query.where(FollowUpAction.status == status)
    if overdue_only:
        query = query.where(FollowUpAction.status == FollowUpStatus.OPEN, FollowUpAction.due_on < today)
    rows = db.session.scalars(query.options(joinedload(FollowUpAction.owner))
                              .order_by(FollowUpAction.due_on, FollowUpAction.id)).all()
    return sorted(rows, key=lambda a: (a.status != FollowUpStatus.OPEN, a.due_on, a.id))


def is_overdue(action: FollowUpAction, today: dt.date | None = None) -> bool:
    return follow_up_overdue(action.due_on, action.status == FollowUpStatus.OPEN, today or clock.today())
