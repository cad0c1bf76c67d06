"""The QA visit sweep (policy 8.1, 8.3): each school day, early, each school's providers whose next
quality-assurance visit is coming due get a task for the AP leader (idempotent: one per provider per visit cycle)."""
from __future__ import annotations

from app.services.qa import create_due_qa_visit_tasks
from jobs.schedule import job_for_func
from jobs.sweeps import SweepReport, for_each_school


def qa_visits_due() -> SweepReport:
    """Ask the AP leader to arrange each provider's next QA visit at the frequency set when commissioning."""
    days = job_for_func(f"{__name__}.qa_visits_due").days
    return for_each_school("qa-visits-due", days, create_due_qa_visit_tasks)
