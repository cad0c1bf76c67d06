"""`flask ops ...`: operators' commands for running AP Hub in production."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.ops.backup import check_restore, manifest_path, take_backup
from app.ops.database_role import grant_to_application_role
from app.ops.health import migration_heads

ops_cli = AppGroup("ops", help="Run AP Hub in production: restore checks, the database roles.")


@ops_cli.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str):
    """Grant the application role (which owns nothing) use of the tables, now and later. Run as the owner."""
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("only PostgreSQL has roles and row-level security")
    with db.engine.begin() as conn:
        grant_to_application_role(conn, role)
    click.echo(f"granted {role} the use of every table and sequence (and of those later migrations add)")


@ops_cli.command("backup")
@click.argument("dump", type=click.Path(dir_okay=False, path_type=Path))
def backup(dump: Path):
    """pg_dump the database into DUMP (custom format) and write DUMP.manifest.json beside it."""
    figures = take_backup(_database_url(), dump)
    click.echo(f"{dump}: {sum(figures['counts'].values())} rows in {len(figures['counts'])} tables, "
               f"{figures['audit_events']} audit events; manifest {manifest_path(dump)}")


@ops_cli.command("check-restore")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--server-url", help="PostgreSQL server to restore on (default: the database's own server).")
@click.option("--keep", is_flag=True, help="Keep the restored database (its name is printed).")
def check_restore_command(dump: Path, server_url: str | None, keep: bool):
    """Restore DUMP into a fresh database and check its row counts and audit trail against its manifest."""
    report = check_restore(dump, server_url or _database_url(), migration_heads(), keep=keep)
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}")
    if not report.ok:
        raise click.ClickException(f"the restore of {dump} did not pass ({len(report.problems)} problem(s))")
    click.echo(f"restore check passed: {report.checked_tables} tables' counts and {report.audit_events} audit "
               f"events match the backup" + (f"; kept as database {report.database}" if keep else ""))


def _database_url() -> str:
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("backups with pg_dump need PostgreSQL")
    return db.engine.url.render_as_string(hide_password=False)
