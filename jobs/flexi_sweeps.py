"""The flexi-schooling review sweep (policy 10.6): each school day, early, each school's termly review tasks for
its running flexi-schooling agreements are made from its own calendar (idempotent: each term's dedupe key)."""
from __future__ import annotations

from app.services.flexi_reviews import create_review_tasks
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school


def flexi_schooling_reviews() -> SweepReport:
    """Make the termly review task of every running flexi-schooling agreement, for the headteacher, due by the
    term's last school day."""
    days = job_for_func(f"{__name__}.flexi_schooling_reviews").days
    return for_each_school("flexi-schooling-reviews", days, create_review_tasks)
