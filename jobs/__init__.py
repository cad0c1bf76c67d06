"""RQ on Redis: queues, job functions, the periodic schedule and the worker entry point.

Jobs take ids plus the school id, re-enter that school's tenant scope, reload, re-check, then act.
"""


def init_app(app) -> None:
    # deferred: this package stays light (no app at import): `python -m jobs.embedded_redis` starts in a blink,
    # and the CLI commands import the app's services
    from jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
