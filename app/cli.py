"""`flask` commands for operators: the demo trust, and the database."""
from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="The fictional demo trust.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) when a trust already exists.")
def seed(if_empty: bool):
    """Seed the demo trust and print its sign-ins."""
    from app.demo import DEMO_PASSWORD, demo_exists, seed_demo

    if demo_exists():
        if if_empty:
            click.echo("A trust already exists; the demo was not seeded again.")
            return
        raise click.ClickException("The database already holds a trust; seed the demo into an empty database.")
    sign_ins = seed_demo()
    click.echo("Demo trust seeded. Sign in with any of these (password for all: %s):" % DEMO_PASSWORD)
    for s in sign_ins:
        click.echo(f"  {s.email:45} {s.roles}")


def init_app(app) -> None:
    app.cli.add_command(demo_cli)
