"""`flask jobs ...`: operators' commands for workers and queues."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from jobs.connection import all_queues, redis_connection

jobs_cli = AppGroup("jobs", help="Run RQ workers and inspect queues.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--with-scheduler/--without-scheduler", default=True, help="Run delayed jobs and retries.")
def worker(burst: bool, with_scheduler: bool):
    """Run an RQ worker on every AP Hub queue, in priority order."""
    from jobs.worker import run_worker

    run_worker(current_app._get_current_object(), burst=burst, with_scheduler=with_scheduler)


@jobs_cli.command("queues")
def queues():
    """Show each queue's length and its failed jobs."""
    conn = redis_connection()
    for q in all_queues(conn):
        click.echo(f"{q.name}: {q.count} queued, {q.failed_job_registry.count} failed, "
                   f"{q.scheduled_job_registry.count} scheduled, {q.started_job_registry.count} started")
    del conn
