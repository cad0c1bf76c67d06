"""Termly reviews of flexi-schooling agreements (policy 10.6: "A flexi-schooling agreement will be reviewed on a
termly basis"): each school day, early, the sweep makes the review task of every running agreement for the
term it is in, due by the term's last school day on the school's own calendar
(app.policy.flexi_schooling.termly_reviews), for the headteacher; recording the review completes it.
Everything runs in the school's tenant scope.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.models import FlexiAgreement, FlexiReview, FlexiReviewOutcome, User
from app.policy.flexi_schooling import TermlyReview, next_termly_review, termly_reviews
from app.school_calendar import SchoolCalendar
from app.services.calendar import calendar_for_school
from app.services.results import Result, refused
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, TaskSpec, complete_tasks_for, ensure_tasks

SUBJECT = "flexi_agreement"  # Task.subject_type of an agreement's review tasks


def task_key(agreement_id: int, review: TermlyReview) -> str:
    return f"flexi-review:{agreement_id}:{review.key}"


def review_due(agreement: FlexiAgreement, calendar: SchoolCalendar, today: dt.date) -> TermlyReview | None:
    """The review the agreement is due this term (or next, in the holidays), not yet held; None when there is
    none or the calendar does not reach it."""
    due = next_termly_review(calendar, agreement.start_date, agreement.end_date, today)
    if due is None or due.key in {r.term_key for r in agreement.reviews if r.archived_at is None}:
        return None
    return due


def create_review_tasks(calendar: SchoolCalendar, today: dt.date) -> int:
    """The sweep's work for the current school: a review task for each agreement running today (or starting
    later this term) for the term it is in. Idempotent (the task's dedupe key); returns how many were made."""
    agreements = db.session.scalars(select(FlexiAgreement).where(
        FlexiAgreement.archived_at.is_(None), or_(FlexiAgreement.end_date.is_(None), FlexiAgreement.end_date >= today)))
    specs = []
    for agreement in agreements:
        due = review_due(agreement, calendar, today)
        if due is None:
            continue
        half = calendar.half_term_for(today)
        if half is None or not (half.academic_year == due.academic_year and str(half.term) == due.term):
            continue  # made in the term it is for, not ahead of it
        specs.append(TaskSpec(
            TaskKind.FLEXI_SCHOOLING_REVIEW, task_key(agreement.id, due),
            f"Termly flexi-schooling review: {agreement.pupil.display_name} ({due.label})"[:300],
            clock.local_datetime(due.due_on, END_OF_SCHOOL_DAY), subject=(SUBJECT, agreement.id),
            link=("flexi.new_review", {"flexi_agreement_id": agreement.id}),
            detail=(f"Policy 10.6: review the flexi-schooling agreement with the parents by {due.due_on:%A %-d %B %Y}, "
                    "the last school day of the term.")))
    return sum(created for _task, created in ensure_tasks(specs, calendar)) if specs else 0


@dataclass
class ReviewInput:
    held_on: dt.date | None
    progress: str | None
    outcome: str | None
    pupil_views: str | None = None
    parents_views: str | None = None
    changes_agreed: str | None = None


def record_review(agreement: FlexiAgreement, data: ReviewInput, by: User,
                  calendar: SchoolCalendar | None = None) -> Result:
    """10.6: the termly review held, with its outcome; it meets the term's review (its task completed). A second
    review of the same term is refused (the unique key settles two at once the same way)."""
    errors: dict[str, str] = {}
    if data.held_on is None:
        errors["held_on"] = "Enter the date the review was held."
    elif data.held_on > clock.today():
        errors["held_on"] = "The review cannot have been held in the future."
    elif data.held_on < agreement.start_date:
        errors["held_on"] = "The review is held after the arrangement began."
    if not (data.progress or "").strip():
        errors["progress"] = "Say how the arrangement is going: the pupil's progress at school and at home."
    try:
        outcome = FlexiReviewOutcome(data.outcome)
    except ValueError:
        errors["outcome"] = "Choose the outcome: continue, continue with changes, or withdraw."
        outcome = None
    if outcome is FlexiReviewOutcome.CONTINUE_WITH_CHANGES and not (data.changes_agreed or "").strip():
        errors["changes_agreed"] = "Say what changes were agreed."
    if errors:
        return refused(errors)
    calendar = calendar or calendar_for_school(agreement.school_id)
    half = calendar.half_term_for(data.held_on) or calendar.current_or_next_half_term(data.held_on)
    terms = termly_reviews(calendar, agreement.start_date, None, calendar.last_entered_day or data.held_on)
    term = next((t for t in terms if half and t.academic_year == half.academic_year and t.term == str(half.term)),
                None)
    if term is None:
        return refused({"held_on": "The school calendar has no term for that date: enter its term dates first."})
    review = FlexiReview(agreement_id=agreement.id, pupil_id=agreement.pupil_id, term_key=term.key,
                         held_on=data.held_on, progress=data.progress.strip(), outcome=outcome,
                         pupil_views=(data.pupil_views or "").strip() or None,
                         parents_views=(data.parents_views or "").strip() or None,
                         changes_agreed=(data.changes_agreed or "").strip() or None, recorded_by_id=by.id)
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        return refused({"held_on": f"The {term.label} review of this agreement is already recorded."})
    complete_tasks_for(SUBJECT, agreement.id, [TaskKind.FLEXI_SCHOOLING_REVIEW], by)
    db.session.commit()
    return Result(record=review)
