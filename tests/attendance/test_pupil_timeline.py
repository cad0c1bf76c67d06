"""The pupil's timeline shows their half-termly reviews (8.2) with their own views, and each welfare check
(KCSIE) with what it found."""
from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import AttendanceSession, PlacementReview, Pupil, School
from app.services.attendance import Confirmation, confirm_session, ensure_expected_sessions, sessions_on
from app.services.calendar import calendar_for_school
from app.services.timeline import pupil_timeline
from tenants import school_scope
from tests.attendance.conftest import active_placement
from tests.helpers import school_time


def test_reviews_and_welfare_checks_are_on_the_pupils_timeline(world, calendar_a):
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, weekdays=(0,))
    with school_time("2026-03-16 09:40"), school_scope(world.a.id):
        ensure_expected_sessions(calendar_for_school(world.a.id), date(2026, 3, 16), db.session.get(School, world.a.id))
        (session,) = sessions_on(date(2026, 3, 16))
        confirm_session(db.session.get(AttendanceSession, session.id), Confirmation("absent", "provider"), user_id=None)
        db.session.add(PlacementReview(placement_id=robin.placement_id, pupil_id=robin.pupil_id,
                                       held_on=date(2026, 3, 18), progress_against_aims="Settling in",
                                       pupil_views="I like the farm work", parents_views="Pleased",
                                       recorded_by_id=world.users["a.ap_leader"].id))
        db.session.commit()
        entries = pupil_timeline(db.session.get(Pupil, robin.pupil_id))
        kinds = {e.kind: e for e in entries}
        assert kinds["Review"].detail == "The pupil's views: I like the farm work"
        assert kinds["Review"].who == world.users["a.ap_leader"].full_name
        assert kinds["Welfare check"].title == "Welfare check: not yet made"
        assert kinds["Welfare check"].on == date(2026, 3, 16)
