"""Quality assurance of placements (policy 8.1, 8.4-8.7): visits to providers and the other QA activities, their
follow-up actions, the planned visits' tasks, the pupil's progress and voice, and the school and trust views.

The rules are app.policy.reviews (when a visit is due) and app.policy.qa (what a record holds, when the AP leader is
asked, when an action is overdue). Everything runs in the current school's scope except
`overdue_qa_counts_by_school` (a trust scope). Changes check all their input first and return the problems by
field; only a change with no problem is written, in one commit (nothing half-saved).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import (
    ConcernSeverity,
    FollowUpAction,
    FollowUpStatus,
    Placement,
    PlacementStatus,
    ProgressKind,
    Provider,
    Pupil,
    PupilProgressEntry,
    QAActivity,
    QAActivityKind,
    School,
    SchoolRole,
    Task,
    TaskStatus,
    User,
)
from app.policy.qa import follow_up_overdue, qa_record_gaps, visit_task_dates
from app.policy.reviews import QAVisitDue, provider_qa_every_weeks, qa_visits_due
from app.services.results import Result, refused
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, complete_tasks_for, ensure_task, on_done_in_inbox
from tenants import require_school_id
from tenants.access import school_record_or_404

QA_TASK_KIND = TaskKind.QA_VISIT_DUE.value
FOLLOW_UP_SUBJECT = "follow_up_action"
LONG_TEXT = 20_000
VISIT_TEXT = ("staff_spoken_with", "pupils_spoken_with", "parents_spoken_with", "work_reviewed", "lessons_observed",
              "unstructured_time_observed")
KIND_LABELS = {
    QAActivityKind.PROVIDER_VISIT: "Visit to the provider",
    QAActivityKind.HOME_VISIT: "Home visit",
    QAActivityKind.CALL: "Telephone call with the pupil",
    QAActivityKind.ONLINE_MEETING: "Online meeting with the pupil",
}
PROGRESS_LABELS = {
    ProgressKind.PROGRESS: "Progress",
    ProgressKind.ACHIEVEMENT: "Achievement",
    ProgressKind.PUPIL_ASSESSMENT: "The pupil's own assessment of the provision",
}
STATUS_LABELS = {FollowUpStatus.OPEN: "Open", FollowUpStatus.DONE: "Done", FollowUpStatus.CANCELLED: "Cancelled"}




def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _too_long(errors: dict[str, str], name: str, value: str | None) -> None:
    if len(value or "") > LONG_TEXT:
        errors[name] = f"Keep this under {LONG_TEXT:,} characters."


# --- finding records -------------------------------------------------------------------------------------------


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
    from app.permissions import SCHOOL_ROLE_PERMISSIONS, Permission

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
    return list(db.session.scalars(query.options(selectinload(QAActivity.provider), selectinload(QAActivity.placement))
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
    rows = db.session.scalars(query.options(selectinload(FollowUpAction.owner))
                              .order_by(FollowUpAction.due_on, FollowUpAction.id)).all()
    return sorted(rows, key=lambda a: (a.status != FollowUpStatus.OPEN, a.due_on, a.id))


def is_overdue(action: FollowUpAction, today: dt.date | None = None) -> bool:
    return follow_up_overdue(action.due_on, action.status == FollowUpStatus.OPEN, today or clock.today())


# --- planned visits (8.1, 8.3): when each provider is next due a visit -----------------------------------------


@dataclass(frozen=True)
class ProviderVisitLine:
    provider: Provider
    placements: list[Placement]
    last_visit_on: dt.date | None
    due: QAVisitDue


def _active_placements(today: dt.date) -> list[Placement]:
    return list(db.session.scalars(
        select(Placement).where(Placement.status == PlacementStatus.ACTIVE, Placement.archived_at.is_(None),
                                Placement.start_date <= today)
        .options(selectinload(Placement.agreement), selectinload(Placement.pupil), selectinload(Placement.provider))
        .order_by(Placement.start_date, Placement.id)))


def _last_visits(provider_ids) -> dict[int, dt.date]:
    ids = list(provider_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        select(QAActivity.provider_id, func.max(QAActivity.held_on)).where(
            QAActivity.provider_id.in_(ids), QAActivity.kind == QAActivityKind.PROVIDER_VISIT,
            QAActivity.archived_at.is_(None))
        .group_by(QAActivity.provider_id)).all())


def provider_visit_lines(today: dt.date | None = None) -> list[ProviderVisitLine]:
    """Each provider of the school's started, active placements with its last visit and when the next is due
    (app.policy.reviews.qa_visits_due: the most frequent agreed frequency, counted from the later of the last
    visit and the earliest active start), overdue first, then soonest due. Three queries whatever the size."""
    today = today or clock.today()
    by_provider: dict[int, list[Placement]] = defaultdict(list)
    for placement in _active_placements(today):
        by_provider[placement.provider_id].append(placement)
    last = _last_visits(by_provider)
    lines = []
    for placements in by_provider.values():
        provider = placements[0].provider
        every = provider_qa_every_weeks(p.agreement.qa_visit_every_weeks if p.agreement else None for p in placements)
        due = qa_visits_due(last.get(provider.id), every, today, min(p.start_date for p in placements))
        lines.append(ProviderVisitLine(provider, placements, last.get(provider.id), due))
    return sorted(lines, key=lambda line: (not line.due.overdue, line.due.due_on, line.provider.name))


def qa_task_key(provider_id: int, due: QAVisitDue) -> str:
    """One task per provider per visit cycle: a visit recorded moves `counted_from`, and the next cycle's key."""
    return f"qa-visit-due:{provider_id}:{due.counted_from.isoformat()}"


def _open_qa_tasks() -> dict[int, Task]:
    return {t.subject_id: t for t in db.session.scalars(select(Task).where(
        Task.school_id == require_school_id(), Task.kind == QA_TASK_KIND, Task.status == TaskStatus.OPEN,
        Task.subject_type == "provider"))}


def create_due_qa_visit_tasks(calendar, today: dt.date) -> int:
    """The daily QA visit sweep for the current school: for each provider of its active placements, once the
    day to arrange the next visit has come (app.policy.qa.visit_task_dates), a task for the AP leader due by the
    end of the school day the visit is due (reminder, then the headteacher once overdue). One open task per
    provider; idempotent (the cycle's dedupe key). A provider the school no longer has active placements with
    needs no visit: its open task is closed. Returns how many tasks were made."""
    lines = provider_visit_lines(today)
    open_tasks = _open_qa_tasks()
    made = 0
    for line in lines:
        if line.provider.id in open_tasks:
            continue
        dates = visit_task_dates(line.due.due_on, calendar)
        if today < dates.ask_from:
            continue
        pupils = ", ".join(p.pupil.display_name for p in line.placements)
        detail = (f"Visit {line.provider.name} by {dates.due_on:%A %-d %B %Y} (every {line.due.every_weeks} weeks as "
                  f"agreed when commissioning; policy 8.1, 8.3, 8.4). Pupils placed there: {pupils}.")
        made += ensure_task(
            TaskKind.QA_VISIT_DUE, qa_task_key(line.provider.id, line.due),
            f"Quality-assurance visit to {line.provider.name}"[:300],
            clock.local_datetime(dates.due_on, END_OF_SCHOOL_DAY), subject=("provider", line.provider.id),
            link=("qa.new_activity", {"provider_id": line.provider.id}), detail=detail[:2000])[1]
    placed = {line.provider.id for line in lines}
    for provider_id in set(open_tasks) - placed:
        complete_tasks_for("provider", provider_id, [TaskKind.QA_VISIT_DUE], None)
    return made


@dataclass(frozen=True)
class PlacementQALine:
    placement: Placement
    last_visit_on: dt.date | None
    next_visit_due_on: dt.date
    overdue: bool


def placement_qa_lines(today: dt.date | None = None) -> list[PlacementQALine]:
    """The school view (8.1): every active placement's last and next QA visit to its provider, overdue first."""
    lines = [PlacementQALine(p, line.last_visit_on, line.due.due_on, line.due.overdue)
             for line in provider_visit_lines(today) for p in line.placements]
    return sorted(lines, key=lambda m: (not m.overdue, m.next_visit_due_on, m.placement.id))


def overdue_qa_counts_by_school() -> dict[int, int]:
    """Each school's count of overdue QA visits (open visit tasks past their due time), as {school id: n}. Call
    inside a trust scope."""
    return dict(db.session.execute(
        select(Task.school_id, func.count(Task.id)).where(
            Task.kind == QA_TASK_KIND, Task.status == TaskStatus.OPEN, Task.due_at <= clock.now())
        .group_by(Task.school_id)).all())


# --- recording a QA activity (8.4-8.6) --------------------------------------------------------------------------


@dataclass
class ActionInput:
    description: str | None = None
    owner_id: int | None = None
    due_on: dt.date | None = None

    @property
    def is_blank(self) -> bool:
        return not _clean(self.description) and self.owner_id in (None, 0, "") and self.due_on is None


@dataclass
class ActivityInput:
    kind: str | None = None
    held_on: dt.date | None = None
    provider_id: int | None = None
    placement_id: int | None = None
    staff_spoken_with: str | None = None
    pupils_spoken_with: str | None = None
    parents_spoken_with: str | None = None
    work_reviewed: str | None = None
    lessons_observed: str | None = None
    unstructured_time_observed: str | None = None
    findings: str | None = None
    serious_finding: bool = False
    raise_concern: bool = False
    concern_category: str | None = None
    concern_severity: str | None = None
    actions: list[ActionInput] = field(default_factory=list)


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


def activity_errors(data: ActivityInput, today: dt.date) -> tuple[dict[str, str], Provider | None,  # noqa: C901 (qa.py is split on branch corrections)
                                                                   Placement | None]:
    """Every problem with a QA record, by field, and the provider and placement it is about."""
    from app.services.providers import CONCERN_CATEGORIES

    errors: dict[str, str] = {}
    provider = placement = None
    try:
        kind = QAActivityKind(data.kind)
    except ValueError:
        kind = None
        errors["kind"] = "Choose what kind of quality assurance activity this was."
    if data.held_on is None:
        errors["held_on"] = "Enter the date of the activity."
    elif data.held_on > today:
        errors["held_on"] = "The date cannot be in the future: record an activity once it has happened."
    if data.placement_id:
        placement = db.session.get(Placement, data.placement_id)  # scoped: another school's is not found
        if placement is None or placement.is_archived or placement.status not in (PlacementStatus.ACTIVE,
                                                                                  PlacementStatus.ENDED):
            errors["placement_id"] = "Choose one of the school's active or ended placements."
            placement = None
    if kind is QAActivityKind.PROVIDER_VISIT:
        placed = {p.id: p for p in providers_placed_with()}
        provider = placed.get(data.provider_id or 0)
        if provider is None:
            errors["provider_id"] = "Choose the provider visited (one the school has placed pupils with)."
        elif placement is not None and placement.provider_id != provider.id:
            errors["placement_id"] = "That placement is at another provider: choose one at the provider visited."
    elif kind is not None:
        if placement is None and "placement_id" not in errors:
            errors["placement_id"] = "Choose the pupil's placement this activity was about (8.5)."
        provider = placement.provider if placement is not None else None
    if kind is not None:
        errors.update(qa_record_gaps(kind.value, {n: getattr(data, n) for n in (*VISIT_TEXT, "findings")}))
    for name in (*VISIT_TEXT, "findings"):
        _too_long(errors, name, _clean(getattr(data, name)))
    if data.raise_concern:
        if not data.serious_finding:
            errors["raise_concern"] = "Only a serious finding raises a concern about the provider: tick it first."
        if data.concern_category not in CONCERN_CATEGORIES:
            errors["concern_category"] = "Choose what the concern about the provider is about."
        if data.concern_severity not in {s.value for s in ConcernSeverity}:
            errors["concern_severity"] = "Choose how serious the concern is."
    staff_ids = {u.id for u in school_staff()}
    for i, action in enumerate(data.actions):
        if not action.is_blank:
            errors.update(_action_errors(action, f"actions-{i}-", staff_ids, today))
    return errors, provider, placement


def record_activity(data: ActivityInput, by: User, school: School) -> Result:
    """8.4-8.6: record a QA activity with its findings and follow-up actions (each a task for its owner, due on
    its date). A visit to a provider completes the provider's QA visit task. A serious finding may raise a
    provider concern (app.services.providers.raise_concern: seen by every school using the provider and the
    trust), linked to the record. Refused, with nothing written, when anything is missing or wrong."""
    today = clock.today()
    errors, provider, placement = activity_errors(data, today)
    if errors:
        return refused(errors)
    activity = QAActivity(
        provider_id=provider.id, placement_id=placement.id if placement else None, kind=QAActivityKind(data.kind),
        held_on=data.held_on, findings=_clean(data.findings), serious_finding=bool(data.serious_finding),
        recorded_by_id=by.id, **{name: _clean(getattr(data, name)) for name in VISIT_TEXT})
    db.session.add(activity)
    db.session.flush()
    for action in data.actions:
        if not action.is_blank:
            _add_follow_up(activity, action)
    if activity.kind is QAActivityKind.PROVIDER_VISIT:
        complete_tasks_for("provider", provider.id, [TaskKind.QA_VISIT_DUE], by)
    if data.raise_concern:
        from app.services.providers import raise_concern

        # raise_concern commits (with the visit, in one transaction); its input was checked above.
        result = raise_concern(provider, school, by, data.concern_category, ConcernSeverity(data.concern_severity),
                               f"Found on a quality assurance {KIND_LABELS[activity.kind].lower()} on "
                               f"{activity.held_on:%-d %B %Y}: {activity.findings}")
        if not result.ok:
            return refused(result.errors)
        activity.provider_concern_id = result.record.id
    db.session.commit()
    return Result(record=activity)


def _add_follow_up(activity: QAActivity, action: ActionInput) -> FollowUpAction:
    row = FollowUpAction(qa_activity_id=activity.id, provider_id=activity.provider_id,
                         description=_clean(action.description), owner_id=action.owner_id, due_on=action.due_on,
                         status=FollowUpStatus.OPEN)
    db.session.add(row)
    db.session.flush()
    ensure_follow_up_task(row, activity)
    return row


def ensure_follow_up_task(action: FollowUpAction, activity: QAActivity | None = None):
    """8.6: the owner's task for the action, due by the end of its due day: in their inbox, reminded, and
    escalated to the headteacher once overdue."""
    activity = activity or action.qa_activity
    about = f" ({KIND_LABELS[activity.kind].lower()}, {activity.held_on:%-d %b %Y})" if activity else ""
    return ensure_task(
        TaskKind.FOLLOW_UP_ACTION, f"follow-up:{action.id}", f"Follow-up: {action.description}"[:300],
        clock.local_datetime(action.due_on, END_OF_SCHOOL_DAY), assigned_user_id=action.owner_id,
        subject=(FOLLOW_UP_SUBJECT, action.id), link=("qa.follow_up", {"follow_up_id": action.id}),
        detail=f"Agreed after a quality assurance activity{about} (policy 8.6): {action.description}"[:2000])


def add_follow_up(activity: QAActivity, data: ActionInput) -> Result:
    """Add a follow-up action to a QA record after the event (8.6)."""
    errors = _action_errors(data, "", {u.id for u in school_staff()}, clock.today())
    if errors:
        return refused(errors)
    row = _add_follow_up(activity, data)
    db.session.commit()
    return Result(record=row)


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


# --- the pupil's progress and voice (8.7) -----------------------------------------------------------------------


@dataclass
class ProgressInput:
    kind: str | None = None
    recorded_on: dt.date | None = None
    text: str | None = None
    placement_id: int | None = None


def record_progress(pupil: Pupil, data: ProgressInput, by: User) -> Result:
    """8.7: a record of the pupil's progress, an achievement, or the pupil's own assessment of the provision."""
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
    if errors:
        return refused(errors)
    entry = PupilProgressEntry(pupil_id=pupil.id, placement_id=data.placement_id or None, kind=ProgressKind(data.kind),
                               recorded_on=data.recorded_on, text=text, recorded_by_id=by.id)
    db.session.add(entry)
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
