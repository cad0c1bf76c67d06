"""Half-termly reviews of placements (policy 8.2, 8.3, 8.8): the tasks the sweep makes, the review record (with
the attendance since the last review), sharing the key information afterwards, and the monitoring lines of the
school and trust views.

The rules (when a review is due, who is reminded and told, who receives the information) are
app.policy.reviews; this package gathers the facts they need and writes what they say. Everything runs in the
current school's scope except `overdue_counts_by_school` (a trust scope). Changes check their input first and
return the problems by field; only a change with no problem is written, in one commit (nothing half-saved).

The package is cut along those seams: `records` (finding, obligations), `sweep` (the tasks and what is due),
`recording` (8.2), `sharing` (8.8), `monitoring` (the school and trust views). Callers keep
`from app.services import reviews` and `reviews.x`.
"""
from .monitoring import MonitoringLine, overdue_counts_by_school, placement_monitoring_lines
from .recording import (
    OPTIONAL_TEXT,
    REQUIRED_TEXT,
    ReviewInput,
    attendance_since_last_review,
    correct_review,
    record_review,
    review_errors,
)
from .records import (
    LONG_TEXT,
    REVIEW_KIND,
    access_placement,
    access_review,
    active_placements,
    reviews_of,
    school_reviews,
)
from .sharing import notices_for, share_review_information, shared_dedupe_key
from .sweep import DueReview, create_due_review_tasks, due_reviews, ensure_review_task

__all__ = [
    "LONG_TEXT", "OPTIONAL_TEXT", "REQUIRED_TEXT", "REVIEW_KIND", "DueReview", "MonitoringLine", "ReviewInput",
    "access_placement", "access_review", "active_placements", "attendance_since_last_review", "correct_review",
    "create_due_review_tasks", "due_reviews", "ensure_review_task", "notices_for", "overdue_counts_by_school",
    "placement_monitoring_lines", "record_review", "review_errors", "reviews_of", "school_reviews",
    "share_review_information", "shared_dedupe_key",
]
