"""Item 10 of issue 13: production refuses to start with debug on (the debugger runs code a visitor sends)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("variable", ["FLASK_DEBUG", "APHUB_DEBUG"])
def test_production_refuses_to_start_with_debug_on(tmp_path, variable):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "APHUB_ENV": "production", "SECRET_KEY": "s" * 64,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:6399/0",
           "APHUB_INSTANCE_PATH": str(tmp_path), variable: "1"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "debug" in result.stderr.lower() and "production refuses to start" in result.stderr
