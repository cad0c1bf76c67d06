"""RQ on Redis: queues, job functions, the periodic schedule and the worker entry point.

Jobs take ids plus the school id, re-enter that school's tenant scope, reload, re-check, then act.
"""
from jobs.cli import jobs_cli


def init_app(app) -> None:
    app.cli.add_command(jobs_cli)
