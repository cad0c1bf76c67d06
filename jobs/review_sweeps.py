"""The half-termly review sweep (policy 8.2, 8.3): each school day, early, each school's review tasks for the
current half-term are made from its own calendar (idempotent: each obligation's dedupe key)."""
from __future__ import annotations

from app.services.reviews import create_due_review_tasks
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school


def half_termly_reviews() -> SweepReport:
    """Make the review task of every active placement at the start of each half-term (and at a mid-half-term
    start), for the AP leader, due before the half-term's last school week."""
    days = job_for_func(f"{__name__}.half_termly_reviews").days
    return for_each_school("half-termly-reviews", days, create_due_review_tasks)
