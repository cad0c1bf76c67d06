"""How a job body runs: inside the app context and exactly the tenant scope it names (design invariant 3).

    @job_body
    def deliver(notification_id: int, school_id: int | None): ...

is not a thing here on purpose: each job says its scope out loud with one of these context managers.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import current_app, has_app_context

from app.extensions import db
from jobs.worker import current_job_app
from tenants import school_scope, system_scope


@contextlib.contextmanager
def _app_context() -> Iterator[None]:
    if has_app_context():
        yield
        return

    with current_job_app().app_context():
        yield


@contextlib.contextmanager
def in_school(school_id: int) -> Iterator[None]:
    """Run a job's body for one school: a fresh session, that school's scope, nothing else visible."""
    with _app_context():
        db.session.remove()  # no object of another school may linger in the identity map
        try:
            with school_scope(school_id):
                yield
        finally:
            db.session.remove()


@contextlib.contextmanager
def in_system(reason: str) -> Iterator[None]:
    """Run infrastructure that crosses schools by design (listing schools, dispatching the outbox)."""
    with _app_context():
        db.session.remove()
        try:
            with system_scope(reason):
                yield
        finally:
            db.session.remove()


def app_config(name: str):
    return current_app.config[name]
