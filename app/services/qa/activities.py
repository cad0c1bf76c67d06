"""Recording a QA activity (8.4-8.6): a visit to a provider or an activity with the pupil, its findings,
follow-up actions and, for a serious finding, a provider concern."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from app import clock
from app.extensions import db
from app.models import (
    ConcernSeverity,
    Placement,
    PlacementStatus,
    Provider,
    QAActivity,
    QAActivityKind,
    School,
    User,
)
from app.policy.qa import qa_record_gaps
from app.services.providers import CONCERN_CATEGORIES, raise_concern
from app.services.results import Result, refused
from app.services.tasks import TaskKind, complete_tasks_for

from .base import (
    KIND_LABELS,
    VISIT_TEXT,
    _clean,
    _too_long,
)
from .follow_ups import ActionInput, _action_errors, _add_follow_up
from .records import providers_placed_with, school_staff


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


def _placement_of(data: ActivityInput, errors: dict[str, str]) -> Placement | None:
    if not data.placement_id:
        return None
    placement = db.session.get(Placement, data.placement_id)  # scoped: another school's is not found
    if placement is None or placement.is_archived or placement.status not in (PlacementStatus.ACTIVE,
                                                                              PlacementStatus.ENDED):
        errors["placement_id"] = "Choose one of the school's active or ended placements."
        return None
    return placement


def _concern_errors(data: ActivityInput) -> dict[str, str]:

    errors = {}
    if not data.serious_finding:
        errors["raise_concern"] = "Only a serious finding raises a concern about the provider: tick it first."
    if data.concern_category not in CONCERN_CATEGORIES:
        errors["concern_category"] = "Choose what the concern about the provider is about."
    if data.concern_severity not in {s.value for s in ConcernSeverity}:
        errors["concern_severity"] = "Choose how serious the concern is."
    return errors


def activity_errors(data: ActivityInput, today: dt.date) -> tuple[dict[str, str], Provider | None,
                                                                   Placement | None]:
    """Every problem with a QA record, by field, and the provider and placement it is about."""
    errors: dict[str, str] = {}
    provider = None
    try:
        kind = QAActivityKind(data.kind)
    except ValueError:
        kind = None
        errors["kind"] = "Choose what kind of quality assurance activity this was."
    if data.held_on is None:
        errors["held_on"] = "Enter the date of the activity."
    elif data.held_on > today:
        errors["held_on"] = "The date cannot be in the future: record an activity once it has happened."
    placement = _placement_of(data, errors)
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
        errors.update(_concern_errors(data))
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

        # raise_concern commits (with the visit, in one transaction); its input was checked above.
        result = raise_concern(provider, school, by, data.concern_category, ConcernSeverity(data.concern_severity),
                               f"Found on a quality assurance {KIND_LABELS[activity.kind].lower()} on "
                               f"{activity.held_on:%-d %B %Y}: {activity.findings}")
        if not result.ok:
            return refused(result.errors)
        activity.provider_concern_id = result.record.id
    db.session.commit()
    return Result(record=activity)


def correct_activity(activity: QAActivity, data: ActivityInput) -> Result:
    """Issue 14 item 8: put a QA record right (the audit trail keeps what it said before). Its follow-up
    actions and any concern raised stay as they are: they are changed on their own pages."""
    data = replace(data, actions=[], raise_concern=False)
    errors, provider, placement = activity_errors(data, clock.today())
    if errors:
        return refused(errors)
    activity.kind, activity.held_on = QAActivityKind(data.kind), data.held_on
    activity.provider_id, activity.placement_id = provider.id, placement.id if placement else None
    activity.findings, activity.serious_finding = _clean(data.findings), bool(data.serious_finding)
    for name in VISIT_TEXT:
        setattr(activity, name, _clean(getattr(data, name)))
    db.session.commit()
    return Result(record=activity)
