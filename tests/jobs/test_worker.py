"""`flask jobs worker`: the forking worker and the in-process (--simple) one both work the queues."""
from __future__ import annotations

import pytest
from rq.job import Job

from jobs.connection import EMAIL, get_queue, redis_connection


@pytest.mark.parametrize("flags", [[], ["--simple"]])
def test_a_burst_worker_runs_what_is_queued(app, flags):
    job = get_queue(EMAIL).enqueue("jobs.outbox.dispatch_outbox")
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--without-scheduler", *flags])
    assert result.exit_code == 0, result.output
    assert Job.fetch(job.id, connection=redis_connection()).get_status() == "finished"
