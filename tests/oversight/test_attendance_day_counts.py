"""The roll-up of attendance per school per day (app.services.attendance_day_counts): the period figures are the
same read from it as counted live, and stay so when a past session is corrected after the job ran (the day's
rows go in the same transaction) or a placement's arrangement changes (the school's rows go)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import AttendanceDayCount, AttendanceSession, Placement
from app.models.placements import ArrangedBy
from app.services.ap_figures import Window, period_figures
from app.services.attendance import Confirmation, confirm_session
from jobs.attendance_sweeps import attendance_roll_up
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.oversight.history import add_history, add_school, enter_years
from tests.placements.conftest import vetted_provider

WINDOWS = [Window("Autumn", dt.date(2025, 9, 1), dt.date(2025, 12, 19)),
           Window("Spring 1", dt.date(2026, 1, 5), dt.date(2026, 2, 13)),
           Window("Spring 2", dt.date(2026, 2, 23), dt.date(2026, 3, 16))]  # to today


@pytest.fixture(autouse=True)
def counted_every_time(app, monkeypatch):
    """These tests are about the roll-up: every figure counted, none kept (app.services.figure_cache)."""
    monkeypatch.setitem(app.config, "FIGURE_CACHE", False)


def attendance(school_id: int) -> dict:
    with school_time("2026-03-16 12:00"), system_scope("test: the figures"):
        db.session.expire_all()
        figures = period_figures({school_id: WINDOWS}, with_cost=False)
        return {key: (f.sessions_due, f.attended, f.possible) for (_, key), f in figures.items()}


def live_attendance(school_id: int) -> dict:
    """The figures counted with no roll-up at all (its rows removed, then put back by rolling back)."""
    with system_scope("test: counted live"):
        db.session.execute(delete(AttendanceDayCount))
        figures = attendance(school_id)
        db.session.rollback()
        return figures


def roll_up() -> None:
    with school_time("2026-03-16 02:00"):
        report = attendance_roll_up()
    assert not report.failed


def rows_on(school_id: int, day: dt.date | None = None) -> int:
    with system_scope("test: the roll-up's rows"):
        query = select(func.count()).select_from(AttendanceDayCount).where(AttendanceDayCount.school_id == school_id)
        return db.session.scalar(query.where(AttendanceDayCount.day == day) if day else query)


def school_with_history(world) -> tuple[int, int]:
    provider = vetted_provider(world, name="Willow Tutors")
    school = add_school(world, "elm", "Elm Academy")
    enter_years(school)
    leader = world.users["a.ap_leader"].id
    add_history(school, provider, leader, "Ash", dt.date(2025, 9, 8), dt.date(2025, 12, 12))
    placement = add_history(school, provider, leader, "Bay", dt.date(2026, 1, 5), None, codes=("B", "O", "B"))
    return school, placement


def test_the_figures_are_the_same_from_the_roll_up_as_counted_live(app, world):
    school, _ = school_with_history(world)
    live = attendance(school)
    assert live["Spring 1"][0] > 0
    roll_up()
    assert rows_on(school) > 0
    assert rows_on(school, dt.date(2026, 3, 15)) == 0  # nor yesterday nor today: their registers still change
    assert attendance(school) == live == live_attendance(school)


def test_a_past_session_corrected_after_the_roll_up_is_counted_as_corrected(app, world):
    school, placement_id = school_with_history(world)
    roll_up()
    before = attendance(school)
    with school_time("2026-03-16 12:30"), school_scope(school):
        session = db.session.scalar(select(AttendanceSession).where(
            AttendanceSession.placement_id == placement_id, AttendanceSession.register_code == "O",
            AttendanceSession.day < dt.date(2026, 2, 13)).order_by(AttendanceSession.day))
        day = session.day
        assert rows_on(school, day) > 0
        confirm_session(session, Confirmation(outcome="attended", via="call"), user_id=None)
        db.session.commit()
    assert rows_on(school, day) == 0 and rows_on(school, day - dt.timedelta(days=7)) > 0  # that day's rows only
    after = attendance(school)
    assert after == live_attendance(school)
    assert after["Spring 1"][1] == before["Spring 1"][1] + 1  # the O is now a B
    roll_up()  # the next run counts the day again
    assert rows_on(school, day) > 0 and attendance(school) == after


def test_a_change_of_who_arranged_a_placement_removes_the_schools_roll_up(app, world):
    school, placement_id = school_with_history(world)
    roll_up()
    with school_time("2026-03-16 12:30"), school_scope(school):
        db.session.get(Placement, placement_id).arranged_by = ArrangedBy.LOCAL_AUTHORITY
        db.session.commit()
    assert rows_on(school) == 0
    assert attendance(school) == live_attendance(school)


def test_the_days_rolled_up_are_read_from_the_roll_up(app, world):
    school, _ = school_with_history(world)
    roll_up()
    live = attendance(school)
    with system_scope("test: a row of the roll-up changed by hand"):
        row = db.session.scalar(select(AttendanceDayCount).where(
            AttendanceDayCount.school_id == school, AttendanceDayCount.kind.is_not(None),
            AttendanceDayCount.day >= dt.date(2026, 1, 5), AttendanceDayCount.day <= dt.date(2026, 2, 13)))
        row.sessions += 5
        db.session.commit()
    assert attendance(school)["Spring 1"][0] == live["Spring 1"][0] + 5
