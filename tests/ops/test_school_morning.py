"""The school-morning load test (issue 20, item 7; PostgreSQL only) at a tiny size, so the script cannot rot: the
production process set on a generated trust, officers and provider links confirming every session while the
cut-off sweeps run, with no error. Its figures are the benchmark's to report, not this test's to time."""
from __future__ import annotations

import json
import logging
import os

import pytest

from bench import school_morning


@pytest.mark.slow
def test_a_small_school_morning_confirms_every_session_without_an_error(tmp_path):
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    results = school_morning.main([
        "--postgres", os.environ["TEST_POSTGRES_URL"], "--schools", "2", "--placements", "12", "--officers", "2",
        "--links", "3", "--minutes", "6", "--speed", "60", "--concurrency", "4", "--web-workers", "1",
        "--leave-unconfirmed", "0.2", "--workdir", str(tmp_path), "--json", str(tmp_path / "morning.json")])
    assert results["errors"] == 0, results["error_samples"]
    assert results["sessions_to_confirm"] > 0 and results["confirmed"] == results["sessions_to_confirm"]
    assert results["officers"] == 2 and results["links"] == 3
    slots = dict(results["cutoff_sweep_lag_seconds"])
    assert "09:30" in slots and results["failed_sweep_jobs"] == 0  # the cut-off sweeps ran, each slot once
    assert json.loads((tmp_path / "morning.json").read_text())["requests"] == results["requests"]
