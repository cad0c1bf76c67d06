"""Active placements in school A (and B) of the test world, due at their provider on set weekdays.

The calendar is tests/placements/conftest.py's (spring and summer 2026); the pupils start Monday 16 March 2026.
`active_placement(world, weekdays=..., arranged_by=...)` starts one; `at(moment)` freezes England time.
"""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from app.clock import now
from app.extensions import db
from app.models import (
    ArrangedBy,
    Carer,
    Placement,
    PlacementStatus,
    ProviderContact,
    School,
    SessionOfDay,
    WeeklySession,
)
from app.school_calendar import CalendarNotEntered
from app.services.attendance import ensure_expected_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.placements.conftest import Ready, calendar_a, make_ready_placement, vetted_provider  # noqa: F401

START_DAY = "2026-03-16 08:00"  # the Monday the placements start


def active_placement(world, school=None, *, first_name="Robin", weekdays=(0, 2), pm_weekdays=(),
                     arranged_by=ArrangedBy.SCHOOL, provider_id=None, starts_at=time(9, 0)) -> Ready:
    """An active placement due at its provider AM on `weekdays` (and PM on `pm_weekdays`), with a parent and a
    provider contact. Call with the clock frozen before 16 March 2026 (the placement's start)."""
    if provider_id is None:
        provider_id = vetted_provider(world, name=f"Provider for {first_name}")
        with system_scope("test: a provider contact"):
            db.session.add(ProviderContact(provider_id=provider_id, name="Dana Office", role="Attendance",
                                           phone="01632 960000", email="office@provider.example.org"))
            db.session.commit()
    ready = make_ready_placement(world, school, first_name=first_name, provider_id=provider_id)
    with school_scope(ready.school_id):
        placement = db.session.get(Placement, ready.placement_id)
        placement.status = PlacementStatus.ACTIVE
        placement.started_at = now()
        placement.arranged_by = arranged_by
        for session in list(placement.weekly_sessions):
            db.session.delete(session)
        db.session.flush()
        for weekday in weekdays:
            db.session.add(WeeklySession(placement_id=placement.id, weekday=weekday, session=SessionOfDay.AM,
                                         starts_at=starts_at, ends_at=time(12, 0)))
        for weekday in pm_weekdays:
            db.session.add(WeeklySession(placement_id=placement.id, weekday=weekday, session=SessionOfDay.PM,
                                         starts_at=time(13, 0), ends_at=time(15, 0)))
        db.session.add(Carer(pupil_id=ready.pupil_id, name="Sam Example", relationship_to_pupil="Mother",
                             phone="07700 900123", email="parent@home.example.org"))
        db.session.commit()
    return ready


def morning_sweep(*days: str) -> None:
    """The 07:30 sweep of each day ("2026-03-16"; the placements' first Monday when none): every school's expected
    sessions. The pages and the API only read them (a GET never writes), so a test that opens the today page, the
    export or a provider's link runs this first, as production does each school morning."""
    with system_scope("test: the schools the sweep walks"):
        school_ids = list(db.session.scalars(select(School.id).order_by(School.id)))
    for day in days or (START_DAY[:10],):
        with school_time(f"{day} 07:30"):
            for school_id in school_ids:  # as jobs.attendance_sweeps.expected_sessions, keeping the test's session
                with school_scope(school_id):
                    try:
                        ensure_expected_sessions(calendar_for_school(school_id), date.fromisoformat(day))
                    except CalendarNotEntered:
                        pass  # a school without term dates: the sweep skips it
                    db.session.commit()


@pytest.fixture
def at():
    """Freeze England time at a moment: `with at("2026-03-16 09:45"): ...`."""
    return school_time
