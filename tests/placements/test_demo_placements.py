"""The demo placements: an active one (the LA told), a planned one with things missing, a ready off-site
direction, an ended one with a destination."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.demo.placements import seed_placements
from app.extensions import db
from app.models import Notification, Placement, PlacementStatus, Pupil
from app.services import placements as service
from tenants import school_scope, system_scope
from tests.placements.conftest import vetted_provider


def test_the_demo_makes_each_kind_of_placement(app, world, frozen, calendar_a):
    vetted_provider(world)
    with school_scope(world.a.id):  # pupils as the pupils' demo would have made them
        for n, name in enumerate(("Ash", "Bay", "Cole")):
            db.session.add(Pupil(upn=f"D{n:012d}", first_name=name, last_name="Demo", date_of_birth=date(2012, 1, 9),
                                 year_group=9))
        db.session.commit()
    with system_scope("test: demo placements"):
        seed_placements(world.trust)
        db.session.commit()
    with school_scope(world.a.id):
        rows = db.session.scalars(select(Placement).order_by(Placement.id)).all()
        assert sorted((p.status.value, p.is_off_site_direction) for p in rows) == [
            ("active", False), ("ended", False), ("planned", False), ("planned", True)]
        directed = next(p for p in rows if p.is_off_site_direction)
        assert service.placement_readiness(directed) == []
        planned = next(p for p in rows if p.status == PlacementStatus.PLANNED and not p.is_off_site_direction)
        assert {"key_information_shared", "commissioning_agreement", "weekly_pattern"} <= {
            m.condition for m in service.placement_readiness(planned)}
        assert next(p for p in rows if p.status == PlacementStatus.ENDED).end_destination
        assert [n.dedupe_key for n in db.session.scalars(select(Notification))] == [
            f"placement-commissioned:{next(p for p in rows if p.status == PlacementStatus.ACTIVE).id}:la"]
        assert db.session.scalar(select(Pupil.id).limit(1)) is not None
