"""The demo has a flexi-schooling agreement at Millbrook Academy running through the current school year, its
LA notice, and C on its Fridays; the whole demo still holds nothing real (tests/test_demo.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FlexiAgreement, Notification, School
from tenants import system_scope
from tests.helpers import school_time


@pytest.mark.parametrize("today", ["2026-03-13 10:00", "2026-10-02 10:00"])  # a spring Friday; an autumn Friday
def test_the_demo_has_a_flexi_agreement_at_millbrook_through_the_school_year(app, today):
    with school_time(today):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        day = dt.date.fromisoformat(today[:10])
        with system_scope("test: the demo's flexi-schooling"):
            [agreement] = db.session.scalars(select(FlexiAgreement)).all()
            school = db.session.get(School, agreement.school_id)
            assert school.name == "Millbrook Academy" and agreement.runs_on(day) and agreement.end_date is None
            assert agreement.start_date <= day and agreement.home_sessions == ["fri_am", "fri_pm"]
            assert agreement.request.status.value == "approved" and agreement.request.letter_sent_on
            assert all(r.held_on < day for r in agreement.reviews)
            assert db.session.scalar(select(Notification).where(
                Notification.dedupe_key == f"flexi-agreement:{agreement.id}:start:la")) is not None
            # The autumn term's review is held by March; in October none has come due yet.
            assert len(agreement.reviews) == (1 if day.month == 3 else 0)
