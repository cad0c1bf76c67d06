"""Shared names of the QA services: task kind, labels, the text limits and the input cleaners."""
from __future__ import annotations

from app.models import (
    FollowUpStatus,
    ProgressKind,
    QAActivityKind,
)
from app.services.tasks import TaskKind

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
