"""The stored 7.2 verdict (issue 18 item 2): kept current as placements, weekly patterns, pupils and the provider
change, recounted when its day has passed, and read back by the register without recounting."""
from __future__ import annotations

import datetime as dt
from datetime import date, time

from sqlalchemy import event, select

from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, Pupil, RegistrationStatus
from app.services import placements as placement_service
from app.services.providers import provider_status, statuses_for
from app.services.registration import trust_registration_report
from app.services.registration_verdicts import refresh_stale_verdicts
from jobs.provider_sweeps import registration_verdicts
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.providers.conftest import place

FULL_TIME = 4  # hours a morning, five mornings: 20 hours a week, over the 18 of 7.2


def _stored(provider_id: int) -> tuple[int | None, int | None, dt.date | None]:
    with system_scope("test: the stored verdict"):
        db.session.expire_all()
        p = db.session.get(Provider, provider_id)
        return p.registration_full_time_count, p.registration_one_pupil_count, p.registration_counted_on


def test_each_placement_added_or_ended_is_counted_when_it_commits(farm, world):
    with school_time("2026-03-11 09:00"):
        for _ in range(4):
            place(world.a.id, farm.id, hours_a_day=FULL_TIME)
        assert _stored(farm.id) == (4, 0, date(2026, 3, 11))
        fifth = place(world.b.id, farm.id, hours_a_day=FULL_TIME)  # another school's pupil counts too
        assert _stored(farm.id) == (5, 0, date(2026, 3, 11))
        with school_scope(world.a.id):
            assert provider_status(db.session.get(Provider, farm.id)).must_be_reported
        with school_scope(world.b.id):
            ended = placement_service.end_placement(
                db.session.get(Placement, fifth.id), world.users["b.ap_leader"],
                placement_service.EndInput(date(2026, 3, 11), None, None, "Back at school", None))
            assert ended.ok, ended.errors
        assert _stored(farm.id) == (4, 0, date(2026, 3, 11))


def test_a_changed_weekly_pattern_is_counted(farm, world):
    with school_time("2026-03-11 09:00"):
        placement = place(world.a.id, farm.id, hours_a_day=FULL_TIME, ehcp=True)
        assert _stored(farm.id) == (1, 1, date(2026, 3, 11))
        with school_scope(world.a.id):
            two_mornings = [placement_service.SessionInput(day, "am", time(9, 0), time(13, 0)) for day in (0, 1)]
            result = placement_service.set_weekly_pattern(db.session.get(Placement, placement.id), two_mornings)
            assert result.ok, result.errors
        assert _stored(farm.id) == (0, 0, date(2026, 3, 11))  # 8 hours a week: part-time, not counted


def test_a_pupil_now_looked_after_and_a_provider_registered_are_counted(farm, world):
    with school_time("2026-03-11 09:00"):
        placement = place(world.a.id, farm.id, hours_a_day=FULL_TIME)
        assert _stored(farm.id) == (1, 0, date(2026, 3, 11))
        with school_scope(world.a.id):
            db.session.get(Pupil, placement.pupil_id).is_looked_after = True
            db.session.commit()
        assert _stored(farm.id) == (1, 1, date(2026, 3, 11))
        with system_scope("test: the provider registers"):
            db.session.get(Provider, farm.id).registration_status = RegistrationStatus.OTHER_REGISTERED
            db.session.commit()
        assert _stored(farm.id) == (None, None, None)  # the rule no longer applies


def test_a_placement_moved_to_another_provider_is_counted_at_both(farm, world):
    from tests.providers.conftest import make_provider

    other = make_provider("Riverside Skills")
    with school_time("2026-03-11 09:00"):
        placement = place(world.a.id, farm.id, hours_a_day=FULL_TIME, status=PlacementStatus.PLANNED)
        with school_scope(world.a.id):
            db.session.get(Placement, placement.id).provider_id = other.id
            db.session.commit()
        assert _stored(farm.id) == (0, 0, date(2026, 3, 11))
        assert _stored(other.id) == (1, 0, date(2026, 3, 11))


def test_a_change_rolled_back_is_not_counted(farm, world):
    with school_time("2026-03-11 09:00"):
        placement = place(world.a.id, farm.id, hours_a_day=FULL_TIME)
        with school_scope(world.a.id):
            db.session.get(Placement, placement.id).status = PlacementStatus.ENDED
            db.session.flush()
            db.session.rollback()
            db.session.commit()
        assert _stored(farm.id) == (1, 0, date(2026, 3, 11))


def test_a_verdict_from_an_earlier_day_is_counted_again(farm, world):
    # Born January 2010: of compulsory school age until the last Friday of June 2026, then no longer counted.
    with school_time("2026-06-24 09:00"):
        place(world.a.id, farm.id, hours_a_day=FULL_TIME, dob=date(2010, 1, 15))
        assert _stored(farm.id) == (1, 0, date(2026, 6, 24))
    with school_time("2026-07-01 07:00"):
        with school_scope(world.a.id):  # the reader counts a stale verdict itself, and writes nothing
            assert provider_status(db.session.get(Provider, farm.id)).registration.full_time_count == 0
        assert _stored(farm.id) == (1, 0, date(2026, 6, 24))
        assert registration_verdicts()["recounted"] >= 1  # the morning sweep
        assert _stored(farm.id) == (0, 0, date(2026, 7, 1))
        assert refresh_stale_verdicts() == 0  # counted today: nothing left for a second run


def test_the_register_reads_todays_verdicts_without_counting_placements(farm, world):
    with school_time("2026-03-11 09:00"):
        for _ in range(4):
            place(world.a.id, farm.id, hours_a_day=FULL_TIME)
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - the statement text
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            with school_scope(world.a.id):
                providers = list(db.session.scalars(select(Provider)))
                status = statuses_for(providers)[farm.id]
            [row] = trust_registration_report(world.users["trust.trust_send_lead"])  # the trust's 7.2 report
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert status.registration_risk and not status.must_be_reported
        assert status.registration.full_time_count == 4 == row.assessment.full_time_count
        assert not [s for s in statements if "weekly_sessions" in s]
