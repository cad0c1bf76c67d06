"""Later capabilities add their demo records here (calendars, providers, pupils, placements...)."""
from __future__ import annotations


def seed_extensions(trust) -> None:
    """Called inside the demo seed's system scope, before its commit."""
    from app.demo_calendar import seed_calendars

    seeders = [seed_calendars]  # calendars first: later seeders count school days
    for seeder in seeders:
        seeder(trust)
