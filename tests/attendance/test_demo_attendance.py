"""The demo seeds three school weeks of confirmed sessions for its placements and leaves today's to confirm."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, WelfareCheck
from app.policy.attendance import SessionKind
from tenants import system_scope
from tests.helpers import school_time


def test_the_demo_has_past_sessions_confirmed_and_todays_waiting(app):
    with school_time("2026-03-09 10:00"):  # a Monday in term
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with system_scope("test: the demo's attendance"):
        # Provision sessions: the demo part-time timetable's C2 sessions have a fixed code and are never confirmed.
        sessions = db.session.scalars(select(AttendanceSession).where(
            AttendanceSession.kind == SessionKind.PROVISION)).all()
        past = [s for s in sessions if s.day.isoformat() < "2026-03-09"]
        today = [s for s in sessions if s.day.isoformat() == "2026-03-09"]
        assert len({s.day for s in past}) >= 5 and all(s.confirmed_at is not None for s in past)
        assert today and all(s.confirmed_at is None for s in today)
        assert {"B", "I"} <= {s.register_code for s in past}
        assert any(s.outcome.value == "late" for s in past)
        checked = set(db.session.scalars(select(WelfareCheck.attendance_session_id)))
        assert not checked & {s.id for s in past}  # every absence came with its reason: no welfare check
