"""`flask` commands for operators: the demo trust, and the database."""
from __future__ import annotations

import contextlib
import logging

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit import acting_as
from app.clock import now
from app.demo import DEMO_PASSWORD, demo_exists, seed_demo
from app.extensions import db
from app.models import School, SchoolRole, TwoFactor, User
from app.services import legal_holds
from app.services.pupil_transfer import transfer_pupil
from app.services.record_of_processing import write
from jobs.connection import redis_connection
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


def _trustee(by_email: str):
    user = db.session.scalar(select(User).where(User.email == by_email))
    if user is None:
        raise click.ClickException("--by names nobody: give the designated trustee's email")
    return user


def _refusal(result) -> click.ClickException:
    return click.ClickException("; ".join(f"{k}: {v}" for k, v in result.errors.items()))


@data_protection_cli.command("hold")
@click.option("--school", "school_slug", help="The pupil's school (its slug), with --upn.")
@click.option("--upn", help="The pupil's UPN.")
@click.option("--provider-id", type=int, help="Or a provider of the register, by id.")
@click.option("--reason", required=True, help="Why the records must be kept.")
@click.option("--by", "by_email", required=True, help="The designated trustee's email: the hold is theirs.")
def hold_command(school_slug: str | None, upn: str | None, provider_id: int | None, reason: str, by_email: str):
    """Place a legal hold on a pupil's or a provider's records: the retention review leaves them alone."""
    if (provider_id is None) == (upn is None):
        raise click.ClickException("give either --school and --upn (a pupil) or --provider-id (a provider)")
    with system_scope("legal hold placed from the command line"):
        user = _trustee(by_email)
        with acting_as(user.id):
            if provider_id is not None:
                result = legal_holds.hold_provider(provider_id, reason, user)
            else:
                school = db.session.scalar(select(School).where(School.slug == (school_slug or "")))
                result = legal_holds.hold_pupil(school.id if school else None, upn, reason, user)
        if not result.ok:
            raise _refusal(result)
        click.echo(f"legal hold {result.record.id} placed")


@data_protection_cli.command("holds")
def holds_command():
    """List the legal holds, current first."""
    with system_scope("legal holds listed from the command line"):
        for h in legal_holds.hold_lines():
            state = f"lifted {h.lifted_at:%Y-%m-%d}" if h.lifted_at else "ON HOLD"
            click.echo(f"{h.id:>5}  {state:18} {h.school or 'every school':30} {h.subject}: {h.reason}")


@data_protection_cli.command("lift-hold")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="Why the records no longer need to be kept.")
@click.option("--by", "by_email", required=True, help="The designated trustee's email.")
def lift_hold_command(hold_id: int, reason: str, by_email: str):
    """Lift a legal hold: records still due are proposed again at the next retention review."""
    with system_scope("legal hold lifted from the command line"):
        user = _trustee(by_email)
        with acting_as(user.id):
            result = legal_holds.lift_legal_hold(hold_id, user.id, reason)
    if not result.ok:
        raise _refusal(result)
    click.echo(f"legal hold {hold_id} lifted")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when a trust already exists.")
def seed(if_empty: bool):
    """Seed the demo trust and print its sign-ins."""
    if demo_exists():
        if if_empty:
            click.echo("A trust already exists; the demo was not seeded again.")
            return
        raise click.ClickException("The database already holds a trust; seed the demo into an empty database.")
    redis_down = _redis_problem()
    with _quiet_queue_warnings() if redis_down else contextlib.nullcontext():
        sign_ins = seed_demo()
    click.echo(f"Demo trust seeded. Sign in with any of these (password for all: {DEMO_PASSWORD}):")
    for s in sign_ins:
        click.echo(f"  {s.email:45} {s.roles}")
    if redis_down:
        click.echo("Redis is not running yet, which is fine: the demo's emails wait in the outbox and are sent "
                   "once Redis and a worker start (scripts/run.sh starts both).")


def _redis_problem() -> str | None:
    """Why Redis cannot be reached now, or None when it answers."""


    try:
        redis_connection().ping()
    except RedisError as exc:
        return str(exc)
    return None


# Loggers that warn, once per commit, that Redis is down: right in a running app, noise while seeding the demo.
QUEUE_LOGGERS = ("app.services.notifications", "app.services.outbox_enqueue", "jobs.enqueue")


@contextlib.contextmanager
def _quiet_queue_warnings():
    loggers = [logging.getLogger(name) for name in QUEUE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


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
