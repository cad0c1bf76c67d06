"""Long work with progress (issue 14 item 7): the pattern any page uses when its work takes longer than a page
load. The page starts a job (a `BackgroundJob` row of the school, committed, then an RQ job enqueued by its
dotted path); the worker runs the job's runner in the school's scope, in chunks, each chunk committing its work
with the progress (done of total); the person watches a progress page and then reads the result on the same page.

A runner is registered per kind with `@runner("kind")`: it reads `job.input_ref`, calls `progress(job, done)`
after each chunk, and returns the summary; problems go into `job.errors` (row, column, message). A runner that
raises leaves the job failed, with what was committed before kept and said so.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import update

from app import clock
from app.extensions import db
from app.models import BackgroundJob, JobState, User
from jobs.connection import DEFAULT
from jobs.enqueue import safe_job_id, try_enqueue
from tenants.access import RecordNotFound, school_record_or_404
from tenants.context import require_school_id

log = logging.getLogger(__name__)

JOB_PATH = "jobs.background.run_background_job"  # the RQ job; persisted in Redis: keep the path
RUNNERS: dict[str, Callable[[BackgroundJob], dict]] = {}
KIND_LABELS: dict[str, str] = {}


def runner(kind: str, label: str):
    """Register the function that does a kind of job's work."""
    def register(func):
        RUNNERS[kind] = func
        KIND_LABELS[kind] = label
        return func

    return register


def start_job(kind: str, total: int, input_ref: str | None, by: User) -> BackgroundJob:
    """Record the job (queued) and put it on the queue. If Redis is down it stays queued: the page says a
    worker has not picked it up yet."""
    if kind not in RUNNERS:
        raise ValueError(f"no runner for background job kind {kind!r}")
    job = BackgroundJob(kind=kind, total=total, input_ref=input_ref, started_by_id=by.id, state=JobState.QUEUED,
                        summary={}, errors=[])
    db.session.add(job)
    db.session.commit()
    try_enqueue(DEFAULT, JOB_PATH, job.id, job.school_id, job_id=safe_job_id("background", job.id),
                result_ttl=600)
    return job


def access_job(job_id: int, kind: str) -> BackgroundJob:
    """One of the current school's jobs of this kind, or 404 (another school's job is not found; a job of
    another kind belongs to another page and its permission)."""
    job = school_record_or_404(BackgroundJob, job_id, what="job")
    if job.kind != kind:
        raise RecordNotFound("job")
    return job


def progress(job: BackgroundJob, done: int) -> None:
    """Note how far the job has got; committed with the chunk's work by the caller."""
    job.done = min(done, job.total) if job.total else done


def run(job_id: int) -> None:
    """The worker's side, inside the job's school scope: claim the job (once), run its runner, record the end."""
    claimed = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.school_id == require_school_id(),
                                    BackgroundJob.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=clock.now())).rowcount
    db.session.commit()
    if not claimed:
        return  # another worker has it, or it has finished: safe to repeat and to race
    job = db.session.get(BackgroundJob, job_id)
    try:
        summary = RUNNERS[job.kind](job)
    except Exception:
        log.exception("background job %s (%s) failed", job.id, job.kind)
        db.session.rollback()
        job = db.session.get(BackgroundJob, job_id)
        job.state, job.finished_at = JobState.FAILED, clock.now()
        job.summary = {**(job.summary or {}), "failed": "The job stopped with an error after the work counted "
                                                       "as done here; that work is kept. Start it again."}
        db.session.commit()
        return
    job.state, job.finished_at, job.summary = JobState.DONE, clock.now(), summary
    job.done = job.total
    db.session.commit()
