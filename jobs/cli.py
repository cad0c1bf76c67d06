"""`flask jobs ...`: operators' commands for workers and queues."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from redis.exceptions import RedisError
from rq.job import Job

from app.clock import now
from app.services.notifications import retry_failed_notifications
from jobs.connection import QUEUE_NAMES, all_queues, redis_connection
from jobs.outbox import dispatch_outbox
from jobs.runner import run_cron, run_now
from jobs.schedule import PERIODIC_JOBS, schedule_lines
from jobs.worker import run_worker
from tenants import system_scope

jobs_cli = AppGroup("jobs", help="Run RQ workers and inspect queues.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--with-scheduler/--without-scheduler", default=True, help="Run delayed jobs and retries.")
@click.option("--simple", is_flag=True,
              help="Run each job in this process instead of a forked work-horse: several times the email "
                   "throughput, less isolation (a job that crashes the process stops the worker).")
@click.option("--queues", default=",".join(QUEUE_NAMES), show_default=True,
              help="Comma-separated queues to serve, in priority order (the Procfile gives urgent mail its own "
                   "--simple worker).")
def worker(burst: bool, with_scheduler: bool, simple: bool, queues: str):
    """Run an RQ worker on AP Hub's queues (by default every one), in priority order."""
    names = [n.strip() for n in queues.split(",") if n.strip()]
    unknown = sorted(set(names) - set(QUEUE_NAMES))
    if unknown or not names:
        raise click.BadParameter(f"unknown queue {', '.join(unknown) or '(none)'}; choose from "
                                 f"{', '.join(QUEUE_NAMES)}", param_hint="--queues")
    run_worker(current_app._get_current_object(), burst=burst, with_scheduler=with_scheduler, simple=simple,
               queue_names=names)


@jobs_cli.command("queues")
def queues():
    """Show each queue's length and its failed jobs."""
    conn = redis_connection()
    for q in all_queues(conn):
        click.echo(f"{q.name}: {q.count} queued, {q.failed_job_registry.count} failed, "
                   f"{q.scheduled_job_registry.count} scheduled, {q.started_job_registry.count} started")
    del conn


@jobs_cli.command("failed")
@click.option("--limit", default=20, show_default=True, help="At most this many per queue.")
def failed(limit: int):
    """List failed jobs, newest first, with the last line of each error."""
    conn = redis_connection()
    for q in all_queues(conn):
        ids = q.failed_job_registry.get_job_ids()[-limit:][::-1]
        click.echo(f"{q.name}: {q.failed_job_registry.count} failed")
        for job in Job.fetch_many(ids, connection=conn):
            if job is not None:
                result = job.latest_result()
                error = ((result.exc_string if result else "") or "").strip().splitlines()[-1:] or [
                    "(no error recorded)"]
                click.echo(f"  {job.id}  {job.func_name}  ended {job.ended_at:%Y-%m-%d %H:%M} UTC  {error[0]}"
                           if job.ended_at else f"  {job.id}  {job.func_name}  {error[0]}")


@jobs_cli.command("cron")
@click.option("--tick", default=10.0, show_default=True, help="Seconds between ticks.")
def cron(tick: float):
    """Run the periodic runner (jobs/schedule.py). Start as many as you like: one is active at a time."""
    run_cron(tick_seconds=tick)


@jobs_cli.command("schedule")
def schedule():
    """Print the periodic schedule: what runs when, in school-local time."""
    for line in schedule_lines(now()):
        click.echo(line)


@jobs_cli.command("run-sweep")
@click.argument("name")
def run_sweep(name: str):
    """Run one scheduled job (by its name in `flask jobs schedule`) in this process, now."""
    if name not in {j.name for j in PERIODIC_JOBS}:
        raise click.BadParameter(f"not in the schedule; one of: {', '.join(j.name for j in PERIODIC_JOBS)}",
                                 param_hint="NAME")
    click.echo(f"{name}: {run_now(name)!r}")


@jobs_cli.command("retry-notifications")
@click.option("--id", "ids", type=int, multiple=True, help="Only this notification (repeatable). Default: all failed.")
def retry_notifications(ids: tuple[int, ...]):
    """Put failed notifications back in the outbox (attempts kept; each retry is in the audit trail)."""
    with system_scope("operator: retry failed notifications"):
        retried = retry_failed_notifications(list(ids) if ids else None)
    click.echo(f"{len(retried)} failed notification(s) put back in the outbox"
               + (f": {', '.join(map(str, retried))}" if retried else ""))


@jobs_cli.command("dispatch")
def dispatch():
    """Run the outbox dispatcher once: put back abandoned sends, enqueue every due notification."""
    try:
        report = dispatch_outbox()
    except RedisError as exc:
        raise click.ClickException(f"Redis is unreachable ({exc}); nothing was enqueued") from exc
    click.echo(f"enqueued {report.enqueued}, already queued {report.already_queued}, "
               f"put back after a worker stopped {report.reclaimed}, failed after the last attempt {report.gave_up}")
