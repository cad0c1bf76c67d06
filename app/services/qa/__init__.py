"""Quality assurance of placements (policy 8.1, 8.4-8.7): visits to providers and the other QA activities, their
follow-up actions, the planned visits' tasks, the pupil's progress and voice, and the school and trust views.

The rules are app.policy.reviews (when a visit is due) and app.policy.qa (what a record holds, when the AP leader is
asked, when an action is overdue). Everything runs in the current school's scope except
`overdue_qa_counts_by_school` (a trust scope). Changes check all their input first and return the problems by
field; only a change with no problem is written, in one commit (nothing half-saved).

The package is cut along those seams: `records` (finding and listing), `visits` (planned visits, the sweep, the
school and trust views), `activities` (recording a QA activity), `follow_ups` (8.6 actions and their tasks),
`progress` (8.7). Callers keep `from app.services import qa` and `qa.x`.
"""
from .activities import ActivityInput, activity_errors, correct_activity, record_activity
from .base import FOLLOW_UP_SUBJECT, KIND_LABELS, LONG_TEXT, PROGRESS_LABELS, QA_TASK_KIND, STATUS_LABELS, VISIT_TEXT
from .follow_ups import (
    ActionInput,
    add_follow_up,
    add_review_follow_up,
    ensure_follow_up_task,
    follow_up_done_in_inbox,
    review_follow_ups,
    set_follow_up_status,
)
from .progress import ProgressInput, correct_progress, progress_errors, progress_of, pupil_placements, record_progress
from .records import (
    access_activity,
    access_follow_up,
    access_pupil,
    activities,
    follow_ups,
    is_overdue,
    placements_for_qa,
    providers_placed_with,
    school_staff,
)
from .visits import (
    PlacementQALine,
    ProviderVisitLine,
    create_due_qa_visit_tasks,
    overdue_qa_counts_by_school,
    placement_qa_lines,
    provider_visit_lines,
    qa_task_key,
)

__all__ = [
    "FOLLOW_UP_SUBJECT", "KIND_LABELS", "LONG_TEXT", "PROGRESS_LABELS", "QA_TASK_KIND", "STATUS_LABELS", "VISIT_TEXT",
    "ActionInput", "ActivityInput", "PlacementQALine", "ProgressInput", "ProviderVisitLine", "access_activity",
    "access_follow_up", "access_pupil", "activities", "activity_errors", "add_follow_up", "add_review_follow_up",
    "correct_activity", "correct_progress", "progress_errors", "review_follow_ups", "create_due_qa_visit_tasks",
    "ensure_follow_up_task", "follow_up_done_in_inbox", "follow_ups", "is_overdue", "overdue_qa_counts_by_school",
    "placement_qa_lines", "placements_for_qa", "progress_of", "provider_visit_lines", "providers_placed_with",
    "pupil_placements", "qa_task_key", "record_activity", "record_progress", "school_staff", "set_follow_up_status",
]
