"""Later capabilities add their demo records here (calendars, providers, pupils, placements...)."""
from __future__ import annotations


def seed_extensions(trust) -> None:
    """Called inside the demo seed's system scope, before its commit."""
    from app.demo_calendar import seed_calendars
    from app.demo_pupils import seed_pupils

    seeders = [seed_calendars]  # calendars first: later seeders count school days
    from app.demo_providers import seed_providers

    seeders.append(seed_providers)  # the shared register, before the placements made with it
    seeders.append(seed_pupils)  # pupils before anything that places them
    for seeder in seeders:
        seeder(trust)
    from app.demo_placements import seed_placements

    seed_placements(trust)  # last: placements are made from the pupils and providers seeded above
    from app.demo_attendance import seed_attendance

    seed_attendance(trust)  # the placements' sessions, before the reviews that count them
    from app.demo_reviews import seed_reviews

    seed_reviews(trust)  # reviews of the placements just made
    from app.demo_welfare import seed_welfare_check

    seed_welfare_check(trust)  # one open welfare check for the active placement's pupil
    from app.demo_qa import seed_qa

    seed_qa(trust)  # a QA visit with follow-up actions, and the pupil's progress and voice
    from app.demo_part_time import seed_part_time

    seed_part_time(trust)  # after the attendance: its C2 sessions are not confirmed as provider sessions are
