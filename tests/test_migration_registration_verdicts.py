"""Migration 0018 backfills each unregistered provider's stored 7.2 verdict from the placements already there.

On a database of its own (SQLite, or a fresh PostgreSQL database when TEST_POSTGRES_URL is set): the data is made
at the head, the migration taken down (the columns go) and up again (the backfill fills them)."""
from __future__ import annotations

from datetime import date, time

import flask_migrate
import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import (
    LocalAuthority,
    Placement,
    PlacementStatus,
    Provider,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    School,
    SchoolPhase,
    SessionOfDay,
    Trust,
    WeeklySession,
)
from tenants import school_scope, system_scope
from tests import own_database
from tests.helpers import school_time
from tests.own_database import MIGRATIONS


@pytest.fixture(scope="module")
def migrated_app(tmp_path_factory, redis_server):
    yield from own_database.migrated_app(tmp_path_factory, redis_server, "verdicts")


def _full_time_pupil(school_id: int, provider_id: int, n: int, **flags) -> None:
    with school_scope(school_id):
        pupil = Pupil(upn=f"M{n:012d}", first_name=f"Pupil{n}", last_name="Example", date_of_birth=date(2011, 1, 15),
                      year_group=10, **flags)
        db.session.add(pupil)
        db.session.flush()
        placement = Placement(pupil_id=pupil.id, provider_id=provider_id, status=PlacementStatus.ACTIVE,
                              start_date=date(2026, 1, 5))
        db.session.add(placement)
        db.session.flush()
        db.session.add_all([WeeklySession(placement_id=placement.id, weekday=day, session=SessionOfDay.AM,
                                          starts_at=time(9, 0), ends_at=time(13, 0)) for day in range(5)])
        db.session.commit()


def test_the_upgrade_counts_every_unregistered_providers_verdict(migrated_app):
    with migrated_app.app_context(), school_time("2026-03-11 09:00"):
        with system_scope("test: a school and two providers"):
            la = LocalAuthority(name="Migrationshire", code="998")
            school = School(trust=Trust(name="Migration Trust"), name="Maple School", slug="maple", urn="80100",
                            phase=SchoolPhase.SECONDARY, local_authority=la)
            farm = Provider(name="Farm", kind=ProviderKind.OFF_SITE, registration_status=RegistrationStatus.UNREGISTERED)
            college = Provider(name="College", kind=ProviderKind.OFF_SITE,
                               registration_status=RegistrationStatus.OTHER_REGISTERED)
            db.session.add_all([la, school, farm, college])
            db.session.commit()
            ids = school.id, farm.id, college.id
        _full_time_pupil(ids[0], ids[1], 1)
        _full_time_pupil(ids[0], ids[1], 2, is_looked_after=True)
        _full_time_pupil(ids[0], ids[2], 3)
        db.session.remove()
        flask_migrate.downgrade(directory=MIGRATIONS, revision="0017_performance")
        flask_migrate.upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            rows = dict((r[0], tuple(r[1:])) for r in conn.execute(text(
                "SELECT id, registration_full_time_count, registration_one_pupil_count, registration_counted_on "
                "FROM providers")))
    assert rows[ids[1]][:2] == (2, 1) and str(rows[ids[1]][2]) == "2026-03-11"
    assert rows[ids[2]] == (None, None, None)  # registered: the rule does not apply
