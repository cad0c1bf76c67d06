"""The vetting sweep on frozen time (7.9): reminders before expiry, tasks once expired, closed when vetted again."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Notification,
    PlacementStatus,
    Provider,
    ProviderCheck,
    ProviderRiskAssessment,
    RiskRating,
    Task,
    TaskStatus,
)
from jobs.provider_sweeps import provider_vetting_expiry
from tenants import system_scope
from tests.helpers import school_time
from tests.providers.conftest import make_provider, place


class Ids:
    """Plain ids: the sweep's fresh sessions detach the world's objects."""

    def __init__(self, world):
        self.a, self.b, self.c = world.a.id, world.b.id, world.schools["c"].id
        self.leader = world.users["a.ap_leader"].id


def approve(provider_id: int, school_id: int, user_id: int, at: datetime) -> None:
    with system_scope("test: an approval long ago"):
        check = ProviderCheck(provider_id=provider_id, made_by_school_id=school_id, started_by_id=user_id,
                              status="complete")
        db.session.add(check)
        db.session.flush()
        db.session.add(ProviderRiskAssessment(provider_id=provider_id, check_id=check.id, made_by_school_id=school_id,
                                              rating=RiskRating.LOW, approved_by_id=user_id, approved_at=at))
        db.session.commit()


def tasks() -> list[Task]:
    with system_scope("test"):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).order_by(Task.school_id, Task.id)))


def test_reminders_before_expiry_then_tasks_for_schools_with_active_placements(app, world):
    farm, ids = make_provider().id, Ids(world)
    approve(farm, ids.a, ids.leader, datetime(2025, 3, 20, 10, tzinfo=UTC))
    place(ids.b, farm, status=PlacementStatus.ACTIVE)
    place(ids.c, farm, status=PlacementStatus.PLANNED)

    with school_time("2026-02-09 07:00"):  # 39 days left: outside the window
        provider_vetting_expiry()
    assert tasks() == []

    with school_time("2026-03-02 06:45"):  # 18 days left: A approved it, B and C have pupils there
        provider_vetting_expiry()
        provider_vetting_expiry()  # idempotent
    expiring = tasks()
    assert sorted(t.school_id for t in expiring) == sorted([ids.a, ids.b, ids.c])
    assert all(t.kind == "provider_check_expiring" and "vetted until 19 March 2026" in t.title for t in expiring)
    with system_scope("test"):
        emailed = {n.recipient_email for n in db.session.scalars(select(Notification))}
    assert "b.ap_leader@test.example.org" in emailed and "a.ap_leader@test.example.org" in emailed

    with school_time("2026-03-23 06:45"):  # expired: only B has an active placement
        provider_vetting_expiry()
    expired = [t for t in tasks() if t.urgent]
    assert [t.school_id for t in expired] == [ids.b]
    assert "vetting has expired" in expired[0].title


def test_a_material_change_tasks_schools_with_active_placements(app, world):
    farm, ids = make_provider().id, Ids(world)
    with school_time("2026-03-02 06:45"):
        approve(farm, ids.a, ids.leader, datetime(2026, 1, 5, 10, tzinfo=UTC))
        place(ids.a, farm, status=PlacementStatus.ACTIVE)
        with system_scope("test"):
            provider = db.session.get(Provider, farm)
            provider.material_change_at = datetime(2026, 2, 27, 9, tzinfo=UTC)
            db.session.commit()
        provider_vetting_expiry()
    [task] = tasks()
    assert task.school_id == ids.a and task.urgent and "material change" in task.title


def test_the_tasks_close_once_the_provider_is_vetted_again(app, world):
    farm, ids = make_provider().id, Ids(world)
    approve(farm, ids.a, ids.leader, datetime(2025, 3, 20, 10, tzinfo=UTC))
    place(ids.b, farm, status=PlacementStatus.ACTIVE)
    with school_time("2026-03-02 06:45"):
        provider_vetting_expiry()
        approve(farm, ids.a, ids.leader, datetime(2026, 3, 2, 7, tzinfo=UTC))
        provider_vetting_expiry()
    assert {t.status for t in tasks()} == {TaskStatus.DONE}
