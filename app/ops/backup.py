"""Backing up with pg_dump and proving a dump restores (issue 20 item 5).

`take_backup` runs `pg_dump --format=custom` and writes a manifest beside the dump: every table's row count and
a digest of the audit trail, read in the same snapshot as the dump (pg_dump --snapshot), so the manifest is
exactly what the dump holds. `check_restore` restores a dump into a fresh database, compares the restored
counts and audit trail with the manifest and that the schema is at the migrations' head, then drops the
database. Both read through row-level security in the system scope (`app.tenant_scope=system`), so they need
no superuser: the tables' owner will do.

For a large trust a base backup plus WAL archiving (docs/production.md) is the real backup; this check still
applies to any logical dump taken from it."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

SYSTEM_SCOPE_OPTION = "-c app.tenant_scope=system"  # row-level security lets the system scope see every row


@dataclass
class RestoreReport:
    database: str
    checked_tables: int = 0
    problems: list[str] = field(default_factory=list)
    audit_events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _libpq(url: URL) -> tuple[str, dict]:
    """A libpq connection string (no password in it) and the environment carrying the password."""
    env = {**os.environ, "PGOPTIONS": SYSTEM_SCOPE_OPTION}
    if url.password:
        env["PGPASSWORD"] = url.password
    parts = [f"host={url.host or 'localhost'}", f"port={url.port or 5432}", f"dbname={url.database}"]
    if url.username:
        parts.append(f"user={url.username}")
    return " ".join(parts), env


def _engine(url: URL):
    return create_engine(url.set(drivername="postgresql+psycopg"), connect_args={"options": SYSTEM_SCOPE_OPTION})


def _tables(conn) -> list[str]:
    return list(conn.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")))


def _audit_digest(conn) -> tuple[int, str]:
    """How many audit events, and a SHA-256 over every one of them in id order: any lost or altered row shows."""
    digest = hashlib.sha256()
    count = 0
    rows = conn.execute(text(
        "SELECT id, at, actor_id, school_id, action, record_type, record_id, before::text, after::text, detail "
        "FROM audit_events ORDER BY id")).yield_per(2000)
    for row in rows:
        digest.update(repr(tuple(row)).encode())
        count += 1
    return count, digest.hexdigest()


def snapshot_figures(conn) -> dict:
    counts = {t: conn.scalar(text(f'SELECT count(*) FROM "{t}"')) for t in _tables(conn)}
    audit_count, audit_digest = _audit_digest(conn)
    revision = sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))
    return {"counts": counts, "audit_events": audit_count, "audit_digest": audit_digest, "revision": revision}


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".manifest.json")


def take_backup(database_url: str, dump: Path) -> dict:
    """pg_dump the database into `dump` (custom format) and write its manifest; returns the manifest."""
    url = make_url(database_url)
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            figures = snapshot_figures(conn)
            dsn, env = _libpq(url)
            subprocess.run(["pg_dump", "--format=custom", "--enable-row-security", f"--snapshot={snapshot}",
                            "--file", str(dump), dsn], env=env, check=True, capture_output=True, text=True)
            conn.rollback()
    finally:
        engine.dispose()
    manifest_path(dump).write_text(json.dumps(figures, indent=1, sort_keys=True))
    return figures


def check_restore(dump: Path, server_url: str, heads: set[str], keep: bool = False) -> RestoreReport:
    """Restore `dump` into a new database on the server of `server_url`, check it against the manifest."""
    manifest = json.loads(manifest_path(dump).read_text())
    server = make_url(server_url)
    name = f"aphub_restore_check_{uuid.uuid4().hex[:10]}"
    report = RestoreReport(database=name)
    admin = create_engine(server.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = server.set(database=name)
        dsn, env = _libpq(target)
        restored = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                   "--single-transaction", "--dbname", dsn, str(dump)],
                                  env=env, capture_output=True, text=True)
        if restored.returncode != 0:
            report.problems.append(f"pg_restore failed: {restored.stderr.strip()[-500:]}")
            return report
        engine = _engine(target)
        try:
            with engine.connect() as conn:
                figures = snapshot_figures(conn)
        finally:
            engine.dispose()
        _compare(manifest, figures, heads, report)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return report


def _compare(manifest: dict, figures: dict, heads: set[str], report: RestoreReport) -> None:
    expected, got = manifest["counts"], figures["counts"]
    report.checked_tables = len(expected)
    for table in sorted(set(expected) | set(got)):
        if expected.get(table) != got.get(table):
            report.problems.append(f"{table}: {expected.get(table)} rows in the backup, {got.get(table)} restored")
    report.audit_events = figures["audit_events"]
    if (figures["audit_events"], figures["audit_digest"]) != (manifest["audit_events"], manifest["audit_digest"]):
        report.problems.append(f"the audit trail differs: {manifest['audit_events']} events backed up, "
                               f"{figures['audit_events']} restored, or their content changed")
    if set(figures["revision"]) != set(manifest["revision"]):
        report.problems.append(f"schema revision {figures['revision']} restored, {manifest['revision']} backed up")
    if set(figures["revision"]) != heads:
        report.problems.append(f"the restored schema is at {figures['revision']}, this code expects {sorted(heads)}: "
                               "run `flask --app app db upgrade` on it before use")
