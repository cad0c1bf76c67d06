"""Providers, pupils and placements for the provider register tests, built in the test world's schools."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.extensions import db
from app.models import (
    Placement,
    PlacementStatus,
    Provider,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    SessionOfDay,
    WeeklySession,
)
from tenants import school_scope, system_scope

_count = iter(range(1, 10_000))


def make_provider(name="Meadow Farm Learning", kind=ProviderKind.OFF_SITE,
                  registration=RegistrationStatus.UNREGISTERED, **extra) -> Provider:
    with system_scope("test: a provider"):
        provider = Provider(name=name, kind=kind, registration_status=registration, **extra)
        db.session.add(provider)
        db.session.commit()
        return provider


def place(school_id: int, provider_id: int, *, hours_a_day: float = 0, days: int = 5,
          status=PlacementStatus.ACTIVE, dob=date(2011, 1, 15), ehcp=False, looked_after=False,
          pupil_id: int | None = None) -> Placement:
    """A pupil (new unless given) placed at the provider, `days` mornings a week of `hours_a_day` hours."""
    with school_scope(school_id):
        if pupil_id is None:
            n = next(_count)
            pupil = Pupil(upn=f"P{n:012d}", first_name=f"Pupil{n}", last_name="Example", date_of_birth=dob,
                          year_group=10, has_ehcp=ehcp, is_looked_after=looked_after)
            db.session.add(pupil)
            db.session.flush()
            pupil_id = pupil.id
        placement = Placement(pupil_id=pupil_id, provider_id=provider_id, status=status,
                              start_date=date(2026, 1, 5))
        db.session.add(placement)
        db.session.flush()
        minutes = int(hours_a_day * 60)
        for weekday in range(days):
            if minutes:
                db.session.add(WeeklySession(placement_id=placement.id, weekday=weekday, session=SessionOfDay.AM,
                                             starts_at=time(9, 0),
                                             ends_at=time(9 + minutes // 60, minutes % 60)))
        db.session.commit()
        return placement


@pytest.fixture
def farm(app, world):
    return make_provider()
