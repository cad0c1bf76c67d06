"""Fixtures shared by the jobs tests."""
from tests.jobs.outbox_fixtures import worker_process  # noqa: F401  (the fixture, for this folder's tests)
