"""The demo seeds a review of each active and ended demo placement, with the pupil's and parents' views, and the
whole demo (with them) still holds nothing real."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Placement, PlacementReview
from tenants import system_scope


def test_the_demo_has_reviews_of_its_placements(app):
    from tests.helpers import school_time

    with school_time("2026-03-09 10:00"):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with system_scope("test: the demo's reviews"):
        reviews = db.session.scalars(select(PlacementReview).order_by(PlacementReview.id)).all()
        assert reviews, "the demo seeds reviews"
        for review in reviews:
            placement = db.session.get(Placement, review.placement_id)
            assert placement.start_date <= review.held_on and review.pupil_id == placement.pupil_id
            assert review.pupil_views and review.parents_views and review.school_id == placement.school_id
        assert {db.session.get(Placement, r.placement_id).status.value for r in reviews} == {"active", "ended"}
