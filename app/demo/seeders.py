"""The demo's seeders, in order: each takes the trust just made, inside the demo seed's system scope, before its
commit. The order matters: later seeders use what earlier ones made."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from app.demo.attendance import seed_attendance
from app.demo.calendars import seed_calendars
from app.demo.flexi import seed_flexi
from app.demo.oversight import seed_oversight
from app.demo.oversight_history import seed_oversight_history
from app.demo.part_time import seed_part_time
from app.demo.placements import seed_placements
from app.demo.providers import seed_providers
from app.demo.pupils import seed_pupils
from app.demo.qa import seed_qa
from app.demo.reviews import seed_reviews
from app.demo.welfare import seed_welfare_check

SEEDERS: Sequence[Callable] = (
    seed_calendars,  # calendars first: later seeders count school days
    seed_providers,  # the shared register, before the placements made with it
    seed_pupils,  # pupils before anything that places them
    seed_placements,  # placements are made from the pupils and providers seeded above
    seed_attendance,  # the placements' sessions, before the reviews that count them
    seed_reviews,  # reviews of the placements just made
    seed_welfare_check,  # one open welfare check for the active placement's pupil
    seed_qa,  # a QA visit with follow-up actions, and the pupil's progress and voice
    seed_oversight,  # two terms of history, a presented report, a complaint, the policy's review
    seed_part_time,  # after the attendance: its C2 sessions are not confirmed as provider sessions are
    seed_flexi,  # a flexi-schooling agreement at Millbrook Academy through the school year (section 10)
    seed_oversight_history,  # census identifiers; past part-time timetables and a refused flexi request
)
