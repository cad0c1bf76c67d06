"""Later capabilities add their demo records here (calendars, providers, pupils, placements...)."""
from __future__ import annotations


def seed_extensions(trust) -> None:
    """Called inside the demo seed's system scope, before its commit."""
    seeders = []
    for seeder in seeders:
        seeder(trust)
