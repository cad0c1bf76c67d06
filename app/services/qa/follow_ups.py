"""Follow-up actions (8.6): their input and checks, each a task for its owner, closing them (on the page or
from the inbox)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    FollowUpAction,
    FollowUpStatus,
    PlacementReview,
    QAActivity,
    User,
)
from app.services.results import Result, refused
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_tasks_for, ensure_task, on_done_in_inbox

from .base import (
    FOLLOW_UP_SUBJECT,
    KIND_LABELS,
    LONG_TEXT,
    _clean,
    _too_long,
)
from .records import school_staff


@dataclass
class ActionInput:
    description: str | None = None
    owner_id: int | None = None
    due_on: dt.date | None = None

    @property
    def is_blank(self) -> bool:
        return not _clean(self.description) and self.owner_id in (None, 0, "") and self.due_on is None



def _action_errors(action: ActionInput, prefix: str, staff_ids: set[int], today: dt.date) -> dict[str, str]:
    errors = {}
    description = _clean(action.description)
    if description is None:
        errors[f"{prefix}description"] = "Describe the follow-up action."
    elif len(description) > LONG_TEXT:
        errors[f"{prefix}description"] = f"Keep this under {LONG_TEXT:,} characters."
    if not action.owner_id:
        errors[f"{prefix}owner_id"] = "Choose who owns the follow-up action."
    elif action.owner_id not in staff_ids:
        errors[f"{prefix}owner_id"] = ("The owner must be one of this school's AP leader, DSL or headteacher "
                                        "(who see QA records).")
    if action.due_on is None:
        errors[f"{prefix}due_on"] = "Enter the date the follow-up action is due."
    elif action.due_on < today:
        errors[f"{prefix}due_on"] = "The due date cannot be in the past."
    return errors


def _add_follow_up(activity: QAActivity, action: ActionInput) -> FollowUpAction:
    row = FollowUpAction(qa_activity_id=activity.id, provider_id=activity.provider_id,
                         description=_clean(action.description), owner_id=action.owner_id, due_on=action.due_on,
                         status=FollowUpStatus.OPEN)
    db.session.add(row)
    db.session.flush()
    ensure_follow_up_task(row, activity)
    return row


def _agreed_after(action: FollowUpAction, activity: QAActivity | None) -> str:
    activity = activity or action.qa_activity
    if activity is not None:
        return f"Agreed after a quality assurance activity ({KIND_LABELS[activity.kind].lower()}, " \
               f"{activity.held_on:%-d %b %Y}; policy 8.6)"
    review = action.placement_review
    if review is not None:
        return f"Agreed at the review of {review.held_on:%-d %b %Y} (policy 8.2, 8.6)"
    return "Agreed after a quality assurance activity (policy 8.6)"


def ensure_follow_up_task(action: FollowUpAction, activity: QAActivity | None = None):
    """8.6: the owner's task for the action, due by the end of its due day: in their inbox, reminded, and
    escalated to the headteacher once overdue."""
    return ensure_task(
        TaskKind.FOLLOW_UP_ACTION, f"follow-up:{action.id}", f"Follow-up: {action.description}"[:300],
        clock.local_datetime(action.due_on, END_OF_SCHOOL_DAY), assigned_user_id=action.owner_id,
        subject=(FOLLOW_UP_SUBJECT, action.id), link=("qa.follow_up", {"follow_up_id": action.id}),
        detail=f"{_agreed_after(action, activity)}: {action.description}"[:2000])


def add_follow_up(activity: QAActivity, data: ActionInput) -> Result:
    """Add a follow-up action to a QA record after the event (8.6)."""
    errors = _action_errors(data, "", {u.id for u in school_staff()}, clock.today())
    if errors:
        return refused(errors)
    row = _add_follow_up(activity, data)
    db.session.commit()
    return Result(record=row)


def add_review_follow_up(review: PlacementReview, data: ActionInput) -> Result:
    """Issue 14 item 8: a follow-up action agreed at a review (8.2, 8.6), with an owner and a due date, a task
    in the owner's inbox like an action from a QA visit."""
    errors = _action_errors(data, "", {u.id for u in school_staff()}, clock.today())
    if errors:
        return refused(errors)
    row = FollowUpAction(placement_review_id=review.id, provider_id=review.placement.provider_id,
                         description=_clean(data.description), owner_id=data.owner_id, due_on=data.due_on,
                         status=FollowUpStatus.OPEN)
    db.session.add(row)
    db.session.flush()
    ensure_follow_up_task(row)
    db.session.commit()
    return Result(record=row)


def review_follow_ups(review: PlacementReview) -> list[FollowUpAction]:
    return list(db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.placement_review_id == review.id, FollowUpAction.archived_at.is_(None))
        .order_by(FollowUpAction.due_on, FollowUpAction.id)))


def set_follow_up_status(action: FollowUpAction, status: str | None, outcome_note: str | None, by: User) -> Result:
    """8.6: mark an open action done or cancelled (a cancelled one says why); its task is completed with it."""
    errors = {}
    if action.status != FollowUpStatus.OPEN:
        errors["status"] = f"This action is already {action.status.value}."
    elif status not in (FollowUpStatus.DONE.value, FollowUpStatus.CANCELLED.value):
        errors["status"] = "Choose done or cancelled."
    note = _clean(outcome_note)
    if status == FollowUpStatus.CANCELLED.value and note is None and "status" not in errors:
        errors["outcome_note"] = "Say why the action is cancelled."
    _too_long(errors, "outcome_note", note)
    if errors:
        return refused(errors)
    _close(action, FollowUpStatus(status), note, by)
    complete_tasks_for(FOLLOW_UP_SUBJECT, action.id, [TaskKind.FOLLOW_UP_ACTION], by)
    db.session.commit()
    return Result(record=action)


def _close(action: FollowUpAction, status: FollowUpStatus, note: str | None, by: User | None) -> None:
    action.status = status
    action.outcome_note = note
    action.completed_at = clock.now()
    action.completed_by_id = by.id if by is not None else None


def follow_up_done_in_inbox(follow_up_id: int, by: User) -> None:
    """The owner ticked the action's task off in the inbox: the action is done too (the caller commits)."""
    action = db.session.get(FollowUpAction, follow_up_id)
    if action is not None and action.status == FollowUpStatus.OPEN:
        _close(action, FollowUpStatus.DONE, "Marked done in the inbox.", by)


@on_done_in_inbox(TaskKind.FOLLOW_UP_ACTION)
def _follow_up_task_done(task, user: User) -> None:
    """8.6: the action's task ticked off in the inbox, the action itself is done."""
    if task.subject_type == "follow_up_action":
        follow_up_done_in_inbox(task.subject_id, user)
