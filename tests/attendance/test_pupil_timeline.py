"""The pupil's timeline shows their half-termly reviews (8.2) with their own views, and each welfare check
(KCSIE) with what it found; and to each viewer only what the pages they may open show."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    Notification,
    PlacementReview,
    ProgressKind,
    Pupil,
    PupilProgressEntry,
    School,
)
from app.permissions import Permission, permissions_for_school_roles
from app.roles import SchoolRoleName
from app.services.attendance import Confirmation, confirm_session, ensure_expected_sessions, sessions_on
from app.services.calendar import calendar_for_school
from app.services.timeline import pupil_timeline
from tenants import school_scope
from tests.attendance.conftest import active_placement
from tests.helpers import school_time, sign_in

# Each kind of entry and the permission of the page that shows that record (the views' decorators).
PAGE_OF_KIND = {
    "Record": Permission.PUPILS_VIEW, "Referral": Permission.PUPILS_VIEW, "Risk assessment": Permission.PUPILS_VIEW,
    "Consultation": Permission.PUPILS_VIEW, "Involvement": Permission.PUPILS_VIEW,
    "Belonging": Permission.PUPILS_VIEW, "Event risk": Permission.PUPILS_VIEW, "School age": Permission.PUPILS_VIEW,
    "Placement": Permission.PLACEMENTS_VIEW, "Task": Permission.TASKS_VIEW,
    "Notice": Permission.EXTERNAL_NOTICES_VIEW,  # /notices
    "Progress": Permission.PROGRESS_RECORD,  # /pupils/<id>/progress/new lists them
    "Review": Permission.REVIEWS_VIEW,  # /reviews
    "Welfare check": Permission.WELFARE_CHECKS_VIEW,  # /welfare-checks
}


def _robin_with_every_source(world):
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, weekdays=(0,))
    leader = world.users["a.ap_leader"]
    with school_time("2026-03-16 09:40"), school_scope(world.a.id):
        ensure_expected_sessions(calendar_for_school(world.a.id), date(2026, 3, 16), db.session.get(School, world.a.id))
        (session,) = sessions_on(date(2026, 3, 16))
        confirm_session(db.session.get(AttendanceSession, session.id), Confirmation("absent", "provider"), user_id=None)
        db.session.add(PlacementReview(placement_id=robin.placement_id, pupil_id=robin.pupil_id,
                                       held_on=date(2026, 3, 18), progress_against_aims="Settling in",
                                       pupil_views="I like the farm work", parents_views="Pleased",
                                       recorded_by_id=leader.id))
        db.session.add(PupilProgressEntry(pupil_id=robin.pupil_id, kind=ProgressKind.ACHIEVEMENT,
                                          recorded_on=date(2026, 3, 17), text="Built a fictional fence",
                                          recorded_by_id=leader.id))
        db.session.add(Notification(dedupe_key="timeline-notice", audience=Audience.LOCAL_AUTHORITY,
                                    recipient_email="ap@la.example.org", template="notice",
                                    subject="Placement of R.F. at a fictional farm", body_text="-",
                                    message_id="<timeline@test.example.org>", about_type="pupil",
                                    about_id=robin.pupil_id))
        db.session.commit()
    return robin


def test_reviews_and_welfare_checks_are_on_the_pupils_timeline(world, calendar_a):
    robin = _robin_with_every_source(world)
    with school_time("2026-03-18 12:00"), school_scope(world.a.id):
        entries = pupil_timeline(db.session.get(Pupil, robin.pupil_id), set(Permission))
        kinds = {e.kind: e for e in entries}
        assert kinds["Review"].detail == "The pupil's views: I like the farm work"
        assert kinds["Review"].who == world.users["a.ap_leader"].full_name
        assert kinds["Welfare check"].title == "Welfare check: not yet made"
        assert kinds["Welfare check"].on == date(2026, 3, 16)
        assert {"Progress", "Notice", "Placement", "School age"} <= set(kinds)


@pytest.mark.parametrize("role", [r for r in SchoolRoleName if Permission.PUPILS_VIEW in permissions_for_school_roles([r])])
def test_each_role_sees_on_the_timeline_only_what_its_pages_show(world, calendar_a, role):
    robin = _robin_with_every_source(world)
    granted = permissions_for_school_roles([role])
    with school_time("2026-03-18 12:00"), school_scope(world.a.id):
        everything = {e.kind for e in pupil_timeline(db.session.get(Pupil, robin.pupil_id), set(Permission))}
        kinds = {e.kind for e in pupil_timeline(db.session.get(Pupil, robin.pupil_id), granted)}
    assert {"Notice", "Progress", "Review", "Welfare check"} <= everything
    assert kinds == {kind for kind in everything if PAGE_OF_KIND[kind] in granted}
    if role is SchoolRoleName.ATTENDANCE_OFFICER:  # 403 on the reviews, progress and notices pages
        assert not kinds & {"Review", "Progress", "Notice"} and "Welfare check" in kinds


def test_the_attendance_officers_pupil_page_holds_no_review_progress_or_notice(app, world, calendar_a, client):
    robin = _robin_with_every_source(world)
    with school_time("2026-03-18 12:00"):
        sign_in(client, world.users["a.attendance_officer"])
        page = client.get(f"/{world.a.slug}/pupils/{robin.pupil_id}").get_data(as_text=True)
        assert "Welfare check: not yet made" in page
        for hidden in ("I like the farm work", "Built a fictional fence", "Placement of R.F. at a fictional farm"):
            assert hidden not in page
        for forbidden in ("reviews", "notices"):
            assert client.get(f"/{world.a.slug}/{forbidden}").status_code == 403
        leader = app.test_client()
        sign_in(leader, world.users["a.ap_leader"])
        page = leader.get(f"/{world.a.slug}/pupils/{robin.pupil_id}").get_data(as_text=True)
        assert "I like the farm work" in page and "Built a fictional fence" in page
