"""Half-termly reviews of placements (policy 8.2, 8.3, 8.8): the tasks the sweep makes, the review record (with
the attendance since the last review), sharing the key information afterwards, and the monitoring lines of the
school and trust views.

The rules (when a review is due, who is reminded and told, who receives the information) are
app.policy.reviews; this module gathers the facts they need and writes what they say. Everything runs in the
current school's scope except `overdue_counts_by_school` (a trust scope). Changes check their input first and
return the problems by field; only a change with no problem is written, in one commit (nothing half-saved).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    LAContactKind,
    Notification,
    Placement,
    PlacementReview,
    PlacementStatus,
    School,
    Task,
    TaskStatus,
    User,
)
from app.policy.attendance import SessionMark, attendance_percentage
from app.policy.la_notices import LA_SEND, SOCIAL_WORKER, VIRTUAL_SCHOOL_HEAD, information_sharing_recipients
from app.policy.reviews import ReviewObligation, reviews_due_in_half_term
from app.school_calendar import SchoolCalendar
from app.services.results import Result, refused
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_task, ensure_task
from tenants import require_school_id
from tenants.access import school_record_or_404

REVIEW_KIND = TaskKind.HALF_TERMLY_REVIEW.value
LONG_TEXT = 20_000




# --- finding records -------------------------------------------------------------------------------------------


def access_review(review_id: int) -> PlacementReview:
    return school_record_or_404(PlacementReview, review_id, what="review")


def school_reviews(placement_id: int | None = None) -> list[PlacementReview]:
    """The current school's reviews, most recent first; one placement's with `placement_id`."""
    query = select(PlacementReview).where(PlacementReview.archived_at.is_(None))
    if placement_id is not None:
        query = query.where(PlacementReview.placement_id == placement_id)
    return list(db.session.scalars(query.order_by(PlacementReview.held_on.desc(), PlacementReview.id.desc())))


def access_placement(placement_id: int) -> Placement:
    return school_record_or_404(Placement, placement_id)


def _calendar() -> SchoolCalendar:
    from app.services.calendar import calendar_for_school

    return calendar_for_school()


def active_placements(today: dt.date) -> list[Placement]:
    """The school's started, active placements (with pupil, provider and agreement), oldest start first."""
    return list(db.session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.ACTIVE, Placement.archived_at.is_(None),
                                Placement.start_date <= today)
        .options(selectinload(Placement.agreement), selectinload(Placement.pupil),
                 selectinload(Placement.provider))
        .order_by(Placement.start_date, Placement.id)))


def reviews_of(placement: Placement) -> list[PlacementReview]:
    return list(db.session.scalars(
        select(PlacementReview).where(PlacementReview.placement_id == placement.id,
                                      PlacementReview.archived_at.is_(None))
        .order_by(PlacementReview.held_on.desc(), PlacementReview.id.desc())))


def _obligations(placement: Placement, calendar: SchoolCalendar, day: dt.date) -> list[ReviewObligation]:
    """8.2, 8.3: the reviews the placement owes in the half-term of `day` (none outside term time)."""
    half_term = calendar.half_term_for(day)
    if half_term is None:
        return []
    agreement = placement.agreement
    return reviews_due_in_half_term(
        half_term, calendar, placement.start_date, placement.ended_on or placement.planned_end_date,
        agreement.review_every_weeks if agreement else None, placement_id=placement.id) or []


def _met_keys(placement_ids) -> set[str]:
    ids = list(placement_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(PlacementReview.dedupe_key).where(
        PlacementReview.placement_id.in_(ids), PlacementReview.dedupe_key.is_not(None),
        PlacementReview.archived_at.is_(None))))


# --- the sweep (8.3): one task per review owed, from the half-term's (or the placement's) first school day ------


def create_due_review_tasks(calendar: SchoolCalendar, today: dt.date) -> int:
    """For every active placement, make the review tasks of the current half-term whose creation day has come
    (app.policy.reviews.reviews_due_in_half_term), for the AP leader, due by the end of the due day, linked to
    the review page. Idempotent (the obligation's dedupe key); an obligation a review already met gets no task.
    Returns how many tasks were made."""
    placements = active_placements(today)
    met = _met_keys(p.id for p in placements)
    half_term = calendar.half_term_for(today)
    made_before = _review_task_keys(half_term.first_day) if half_term else set()
    made = 0
    for placement in placements:
        for obligation in _obligations(placement, calendar, today):
            key = obligation.dedupe_key
            if obligation.created_on > today or key in met or key in made_before:
                continue
            made += ensure_review_task(placement, obligation, calendar)[1]
    return made


def _review_task_keys(due_from: dt.date) -> set[str]:
    """The keys of the school's review tasks (open or not) due from this day on: one query, so a daily sweep
    over thousands of placements asks ensure_task only about the tasks still to make."""
    return set(db.session.scalars(select(Task.dedupe_key).where(
        Task.school_id == require_school_id(), Task.kind == REVIEW_KIND,
        Task.due_at >= clock.local_datetime(due_from, dt.time(0)))))


def _task_title(placement: Placement, obligation: ReviewObligation) -> str:
    title = f"Half-termly review: {placement.pupil.display_name} at {placement.provider.name}"
    return title if obligation.sequence == 1 else f"{title} (review {obligation.sequence} this half-term)"


def ensure_review_task(placement: Placement, obligation: ReviewObligation, calendar: SchoolCalendar):
    detail = (f"{obligation.half_term.name}: hold the formal review with {placement.pupil.display_name} and their "
              f"parents or carers by {obligation.due_on:%A %-d %B %Y} (policy 8.2, 8.3).")
    return ensure_task(
        TaskKind.HALF_TERMLY_REVIEW, obligation.dedupe_key, _task_title(placement, obligation)[:300],
        clock.local_datetime(obligation.due_on, END_OF_SCHOOL_DAY), subject=("placement", placement.id),
        link=("reviews.new", {"placement_id": placement.id}), detail=detail, calendar=calendar)


# --- what is due ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReview:
    placement: Placement
    due_on: dt.date
    dedupe_key: str
    overdue: bool
    task_id: int | None  # None: owed this half-term, the sweep has not made its task yet


def _open_review_tasks(placement_ids=None) -> list[Task]:
    query = select(Task).where(Task.school_id == require_school_id(), Task.kind == REVIEW_KIND,
                               Task.status == TaskStatus.OPEN, Task.subject_type == "placement")
    if placement_ids is not None:
        query = query.where(Task.subject_id.in_(list(placement_ids)))
    return list(db.session.scalars(query.order_by(Task.due_at, Task.id)))


def due_reviews(calendar: SchoolCalendar | None = None, today: dt.date | None = None) -> list[DueReview]:
    """The reviews due this half-term and any still open from before, overdue first, then soonest due: the open
    review tasks, and this half-term's obligations (whose day has come) that no review has met yet."""
    calendar = calendar or _calendar()
    today = today or clock.today()
    now = clock.now()
    placements = {p.id: p for p in active_placements(today)}
    lines: dict[str, DueReview] = {}
    for task in _open_review_tasks():
        placement = placements.get(task.subject_id) or db.session.get(Placement, task.subject_id)
        if placement is None:
            continue
        lines[task.dedupe_key] = DueReview(placement, clock.to_local(task.due_at).date(), task.dedupe_key,
                                           task.due_at <= now, task.id)
    met = _met_keys(placements)
    half_term = calendar.half_term_for(today)
    tasked = _review_task_keys(half_term.first_day) if half_term else set()
    for placement in placements.values():
        for obligation in _obligations(placement, calendar, today):
            key = obligation.dedupe_key
            if key in lines or key in met or key in tasked or obligation.created_on > today:
                continue  # listed already, met by a review, or its task is done
            due_at = clock.local_datetime(obligation.due_on, END_OF_SCHOOL_DAY)
            lines[key] = DueReview(placement, obligation.due_on, key, due_at <= now, None)
    return sorted(lines.values(), key=lambda d: (not d.overdue, d.due_on, d.placement.id))


# --- recording a review (8.2) ----------------------------------------------------------------------------------


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


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


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


# --- information sharing (8.8) ---------------------------------------------------------------------------------


def shared_dedupe_key(review: PlacementReview, party: str) -> str:
    return f"review-shared:{review.id}:{party}"


def _review_context(review: PlacementReview, school: School, because: str) -> dict:
    placement, pupil = review.placement, review.pupil
    attended = [label for flag, label in (
        (review.pupil_attended, "the pupil"), (review.parents_attended, "parents or carers"),
        (review.provider_attended, "the provider"), (review.school_attended, "the school"),
        (review.local_authority_attended, "the local authority"),
        (review.virtual_school_attended, "the Virtual School"),
        (review.social_worker_attended, "the social worker")) if flag]
    return {
        "school_name": school.name, "school_urn": school.urn, "because": because,
        "pupil_name": f"{pupil.first_name} {pupil.last_name}", "pupil_upn": pupil.upn,
        "pupil_date_of_birth": f"{pupil.date_of_birth:%-d %B %Y}", "pupil_year_group": pupil.year_group,
        "provider_name": placement.provider.name, "held_on": f"{review.held_on:%A %-d %B %Y}",
        "attended": attended, "attendees_note": review.attendees_note,
        "attendance_from": f"{review.attendance_from:%-d %B %Y}" if review.attendance_from else None,
        "attendance_percentage": (f"{review.attendance_percentage}%" if review.attendance_percentage is not None
                                  else None),
        "attendance_note": review.attendance_note, "progress_against_aims": review.progress_against_aims,
        "pupil_views": review.pupil_views, "parents_views": review.parents_views,
        "changes_agreed": review.changes_agreed, "reintegration_steps": review.reintegration_steps,
        "next_review_on": f"{review.next_review_on:%-d %B %Y}" if review.next_review_on else None,
        "risk_assessment_reviewed": review.risk_assessment_reviewed,
    }


def share_review_information(review: PlacementReview) -> str | None:
    """8.8: queue the review's key information to each recipient app.policy.reviews names for this pupil, in the
    caller's transaction, once per recipient (dedupe key), and mark the review shared. Returns the problem
    (a recipient with no email address) instead, and then the caller rolls back."""
    from app.services.notifications import MissingLAContact, notify_local_authority, queue_notification

    pupil = review.pupil
    recipients = information_sharing_recipients(pupil)
    if not recipients:
        return None
    school = db.session.get(School, review.school_id)
    label = f"Review of {pupil.initials}'s placement at {review.placement.provider.name}"[:200]
    for recipient in recipients:
        context = _review_context(review, school, recipient.because)
        key = shared_dedupe_key(review, recipient.party)
        if recipient.party in (LA_SEND, VIRTUAL_SCHOOL_HEAD):
            kind = LAContactKind(recipient.la_contact_kind)
            try:
                notify_local_authority(school, kind, template="review_information", context=context,
                                       dedupe_key=key, about_type="pupil", about_id=pupil.id, about_label=label,
                                       pupil=pupil)
            except MissingLAContact as exc:
                return str(exc)
        elif recipient.party == SOCIAL_WORKER:
            if not pupil.social_worker_email:
                return (f"{pupil.display_name}'s social worker has no email address on the pupil's record, so the "
                        f"review cannot be shared with them (8.8). Add it on the pupil's page first.")
            queue_notification(dedupe_key=key, audience=Audience.SOCIAL_WORKER,
                               recipient_email=pupil.social_worker_email, recipient_name=pupil.social_worker_name,
                               template="review_information", context=context, about_type="pupil",
                               about_id=pupil.id, about_label=label, school_id=school.id)
    review.information_shared_at = clock.now()
    return None


def notices_for(review: PlacementReview) -> list[Notification]:
    prefix = f"review-shared:{review.id}:"
    return list(db.session.scalars(select(Notification).where(Notification.dedupe_key.startswith(prefix))
                                   .order_by(Notification.id)))


# --- the school view: every active placement's last and next review --------------------------------------------


@dataclass
class MonitoringLine:
    """One active placement on the school view. The QA helper's fields join this line (see
    placement_monitoring_lines)."""

    placement: Placement
    last_review_on: dt.date | None
    next_review_due_on: dt.date | None
    review_overdue: bool
    extra: dict = field(default_factory=dict)  # other monitoring (QA visits) added by their own services

    @property
    def overdue(self) -> bool:
        return self.review_overdue or any(v for k, v in self.extra.items() if k.endswith("overdue"))


def placement_monitoring_lines(calendar: SchoolCalendar | None = None,
                               today: dt.date | None = None) -> list[MonitoringLine]:
    """Every active placement's last review and next review due date, overdue first, then the soonest due. The
    next review is the earliest open review task, else this half-term's first obligation no review has met, else
    the next half-term's."""
    calendar = calendar or _calendar()
    today = today or clock.today()
    now = clock.now()
    placements = active_placements(today)
    ids = [p.id for p in placements]
    last = dict(db.session.execute(
        select(PlacementReview.placement_id, func.max(PlacementReview.held_on))
        .where(PlacementReview.placement_id.in_(ids), PlacementReview.archived_at.is_(None))
        .group_by(PlacementReview.placement_id)).all()) if ids else {}
    open_tasks: dict[int, list[Task]] = defaultdict(list)
    for task in _open_review_tasks(ids):
        open_tasks[task.subject_id].append(task)
    met = _met_keys(ids)
    half_term = calendar.half_term_for(today)
    done_keys = _review_task_keys(half_term.first_day if half_term else today)
    next_half_term = calendar.next_half_term(today)
    lines = []
    for placement in placements:
        tasks = open_tasks.get(placement.id, [])
        overdue = any(t.due_at <= now for t in tasks)
        if tasks:
            next_due = clock.to_local(tasks[0].due_at).date()
        else:
            next_due = None
            later = _obligations(placement, calendar, next_half_term.first_day) if next_half_term else []
            for obligation in [*_obligations(placement, calendar, today), *later]:
                if obligation.dedupe_key not in met and obligation.dedupe_key not in done_keys:
                    next_due = obligation.due_on
                    break
        lines.append(MonitoringLine(placement, last.get(placement.id), next_due, overdue))
    return sorted(lines, key=lambda m: (not m.overdue, m.next_review_due_on or dt.date.max, m.placement.id))


# --- the trust view ----------------------------------------------------------------------------------------------


def overdue_counts_by_school() -> dict[School, dict[str, int]]:
    """Each active school's count of overdue half-termly reviews, as {school: {"reviews": n}} (the QA visits'
    count joins each school's dict). Call inside a trust scope."""
    now = clock.now()
    schools = list(db.session.scalars(select(School).where(School.is_active.is_(True)).order_by(School.name)))
    counts = dict(db.session.execute(
        select(Task.school_id, func.count(Task.id)).where(
            Task.kind == REVIEW_KIND, Task.status == TaskStatus.OPEN, Task.due_at <= now)
        .group_by(Task.school_id)).all())
    return {school: {"reviews": counts.get(school.id, 0)} for school in schools}
