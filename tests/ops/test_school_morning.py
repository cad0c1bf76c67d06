"""The school-morning load test (issue 20, item 7; PostgreSQL only) at a tiny size, so the script cannot rot: the
production process set on a generated trust, officers and provider links confirming every session while the
cut-off sweeps run, with no error. Its figures are the benchmark's to report, not this test's to time.

The script runs as its own process, as it is meant to: it makes an app of its own, and the rate limiter is one
per process (a second app in the test process would move the suite's throttles onto the script's Redis)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_small_school_morning_confirms_every_session_without_an_error(tmp_path):
    out = tmp_path / "morning.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.school_morning", "--postgres", os.environ["TEST_POSTGRES_URL"],
         "--schools", "2", "--placements", "12", "--officers", "2", "--links", "3", "--minutes", "6",
         "--speed", "60", "--concurrency", "4", "--web-workers", "1", "--leave-unconfirmed", "0.2",
         "--workdir", str(tmp_path), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert out.exists(), run.stdout[-2000:] + run.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["errors"] == 0, results["error_samples"]
    assert results["sessions_to_confirm"] > 0 and results["confirmed"] == results["sessions_to_confirm"]
    assert results["officers"] == 2 and results["links"] == 3
    slots = dict(results["cutoff_sweep_lag_seconds"])
    assert "09:30" in slots and results["failed_sweep_jobs"] == 0  # the cut-off sweeps ran, each slot once
    assert run.returncode == 0, run.stderr[-2000:]
