"""The demo (issue 15): an approved part-time timetable at Millbrook Academy running through the current school
year, relative to the day the demo is seeded, with its C2 sessions on the last school days."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, School
from app.models.part_time import LAReportingProcedure, PartTimeTimetable
from tenants import system_scope
from tests.helpers import school_time


@pytest.mark.parametrize("today", ["2026-03-09 10:00", "2026-11-16 10:00"])
def test_the_demo_has_an_approved_timetable_at_millbrook_through_the_school_year(app, today):
    with school_time(today):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    day = date.fromisoformat(today[:10])
    with system_scope("test: the demo's part-time timetable"):
        # The one running now (the oversight demo adds past ones that ended: app/demo/oversight_history.py).
        timetable = db.session.scalars(select(PartTimeTimetable).where(PartTimeTimetable.ended_on.is_(None))).one()
        assert db.session.get(School, timetable.school_id).name == "Millbrook Academy"
        assert timetable.status.value == "active" and timetable.approved_at and timetable.agreed_on
        assert timetable.start_date <= day <= timetable.end_date
        assert timetable.end_date.month == 7 and timetable.end_date.year == (day.year + (day.month >= 8))
        codes = set(db.session.scalars(select(AttendanceSession.register_code).where(
            AttendanceSession.part_time_timetable_id == timetable.id)))
        assert codes == {"C2"}
        assert db.session.scalars(select(LAReportingProcedure)).all()
