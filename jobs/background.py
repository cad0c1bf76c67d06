"""Long work a person started on a page (issue 14 item 7): the RQ job runs it in the job's school."""
from __future__ import annotations

from app.services import background_jobs, pupil_import_job  # noqa: F401  (registers the import's runner)
from jobs.context import in_school


def run_background_job(job_id: int, school_id: int) -> None:
    """Run one `BackgroundJob` (app.services.background_jobs) in its school's scope; safe to repeat."""

    with in_school(school_id):
        background_jobs.run(job_id)
