"""Backups restore (PostgreSQL only): the demo trust is dumped with `flask ops backup`, restored into a fresh
database by `flask ops check-restore`, and its counts and audit trail match; a backup whose manifest does not
match what was restored is refused."""
from __future__ import annotations

import json

from sqlalchemy import text

from app.demo import seed_demo
from app.extensions import db
from app.ops.backup import manifest_path
from tenants import system_scope


def test_the_demo_trusts_dump_restores_and_passes_the_check(app, tmp_path):
    seed_demo()
    db.session.commit()
    with system_scope("test: what the demo holds"):
        pupils = db.session.scalar(text("SELECT count(*) FROM pupils"))
        audit = db.session.scalar(text("SELECT count(*) FROM audit_events"))
    db.session.rollback()
    assert pupils > 0 and audit > 0
    dump = tmp_path / "demo.dump"
    runner = app.test_cli_runner()

    backed_up = runner.invoke(args=["ops", "backup", str(dump)])
    assert backed_up.exit_code == 0, backed_up.output
    manifest = json.loads(manifest_path(dump).read_text())
    assert manifest["counts"]["pupils"] == pupils  # read through row-level security in the system scope
    assert manifest["audit_events"] == audit

    checked = runner.invoke(args=["ops", "check-restore", str(dump)])
    assert checked.exit_code == 0, checked.output
    print(f"\nrestore check on the demo trust: {checked.output.strip()}")
    assert f"{audit} audit events match the backup" in checked.output

    # A restore missing a pupil, or an audit trail that differs, fails the check.
    manifest["counts"]["pupils"] += 1
    manifest["audit_digest"] = "0" * 64
    manifest_path(dump).write_text(json.dumps(manifest))
    refused = runner.invoke(args=["ops", "check-restore", str(dump)])
    assert refused.exit_code != 0
    assert f"pupils: {pupils + 1} rows in the backup, {pupils} restored" in refused.output
    assert "the audit trail differs" in refused.output
