"""`flask` commands for operators: the demo trust, and the database."""
from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit import acting_as
from app.clock import now
from app.demo import DEMO_PASSWORD, demo_exists, seed_demo
from app.extensions import db
from app.models import School, SchoolRole, TwoFactor, User
from app.services.pupil_transfer import transfer_pupil
from app.services.record_of_processing import write
from tenants import system_scope

demo_cli = AppGroup("demo", help="The fictional demo trust.")
data_protection_cli = AppGroup("data-protection", help="Data protection: the record of processing.")


@data_protection_cli.command("docs")
def data_protection_docs():
    """Write docs/data-protection.md from the models, the permissions and the retention schedule."""
    click.echo(f"written {write()}")


@data_protection_cli.command("transfer-pupil")
@click.argument("pupil_id", type=int)
@click.argument("school_slug")
@click.option("--by", "by_email", required=True, help="The designated trustee's email: the move is theirs.")
def transfer_pupil_command(pupil_id: int, school_slug: str, by_email: str):
    """Move a pupil's AP record to another school of the trust (audited in both schools)."""
    with system_scope(f"transfer pupil {pupil_id} to {school_slug}"):
        school = db.session.scalar(select(School).where(School.slug == school_slug))
        user = db.session.scalar(select(User).where(User.email == by_email))
        if school is None or user is None:
            raise click.ClickException("school_slug or --by names nobody: check the school's slug and the email")
        with acting_as(user.id):
            result = transfer_pupil(pupil_id, school.id, user)
    if not result.ok:
        raise click.ClickException("; ".join(f"{k}: {v}" for k, v in result.errors.items()))
    click.echo(f"pupil {pupil_id} moved to {school.name}")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when a trust already exists.")
def seed(if_empty: bool):
    """Seed the demo trust and print its sign-ins."""
    if demo_exists():
        if if_empty:
            click.echo("A trust already exists; the demo was not seeded again.")
            return
        raise click.ClickException("The database already holds a trust; seed the demo into an empty database.")
    sign_ins = seed_demo()
    click.echo(f"Demo trust seeded. Sign in with any of these (password for all: {DEMO_PASSWORD}):")
    for s in sign_ins:
        click.echo(f"  {s.email:45} {s.roles}")


@demo_cli.command("sign-ins")
def sign_ins():
    """Print who can sign in and their roles, so `scripts/run.sh` can show them on every start."""
    people = _sign_ins_in_database()
    if not people:
        raise click.ClickException("Nobody can sign in yet: run `flask demo seed` first.")
    click.echo(f"Sign in with any of these (the demo trust's password for all: {DEMO_PASSWORD}; DSLs, "
               "headteachers, AP leaders and trust roles then set up two-factor sign-in, and in development "
               "`flask demo code EMAIL` prints the code to type):")
    for email, roles in people:
        click.echo(f"  {email:45} {roles}")


@demo_cli.command("code")
@click.argument("email")
def two_factor_code(email):
    """Development only: the current two-factor code of an account, so a demo needs no phone."""
    if current_app.config.get("ENV_NAME") != "development":
        raise click.ClickException("Only in development: a real account's codes come from its owner's app.")
    row = db.session.scalar(select(TwoFactor).join(User, User.id == TwoFactor.user_id)
                            .where(User.email == email.strip().lower()))
    if row is None:
        raise click.ClickException(f"{email} has not started setting up two-factor sign-in: sign in first.")
    click.echo(pyotp.TOTP(row.totp_secret).at(now()))


def _sign_ins_in_database() -> list[tuple[str, str]]:
    """(email, roles) of every enabled, unarchived user, in the order they were created."""
    # People and their roles are trust-level records (not tenant-owned), so no scope is needed to list them.
    users = db.session.scalars(
        select(User).options(selectinload(User.school_roles).selectinload(SchoolRole.school),
                             selectinload(User.trust_roles)).order_by(User.id)
    ).all()
    out = []
    for user in users:
        if not user.is_active:
            continue
        roles = [f"{sr.role.label} ({sr.school.name}{', ' + sr.covers if sr.covers else ''})"
                 for sr in user.school_roles] + [tr.role.label for tr in user.trust_roles]
        out.append((user.email, "; ".join(roles) or "no role yet"))
    return out


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(data_protection_cli)
