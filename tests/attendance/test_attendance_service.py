"""Expected sessions made from weekly patterns on the school calendar, and confirming them (policy 4.5, 7.8)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ArrangedBy, AttendanceSession, School, Task, TrainingDay, WelfareCheck
from app.services.attendance import (
    Confirmation,
    ConfirmationRefused,
    confirm_session,
    confirm_sessions,
    ensure_expected_sessions,
    sessions_on,
)
from app.services.calendar import calendar_for_school
from tenants import school_scope
from tests.attendance.conftest import START_DAY, active_placement
from tests.helpers import school_time


@pytest.fixture
def robin(world, calendar_a):
    with school_time("2026-03-09 10:00"):
        return active_placement(world, weekdays=(0, 2), pm_weekdays=(0,))


def make(world, day: date, school=None) -> list[AttendanceSession]:
    school_id = (school or world.a).id
    with school_scope(school_id):
        ensure_expected_sessions(calendar_for_school(school_id), day, db.session.get(School, school_id))
        db.session.commit()
        return sessions_on(day)


def test_a_placement_expects_its_pattern_on_a_school_day_am_before_pm(world, robin):
    with school_time(START_DAY):
        sessions = make(world, date(2026, 3, 16))
        assert [(s.session.value, s.starts_at.hour) for s in sessions] == [("am", 9), ("pm", 13)]
        # the cut-off is the school's 30 minutes after the provider's start, in England time (GMT in March)
        assert sessions[0].cutoff_at.hour == 9 and sessions[0].cutoff_at.minute == 30


def test_making_the_day_twice_makes_nothing_twice(world, robin):
    with school_time(START_DAY):
        make(world, date(2026, 3, 16))
        assert len(make(world, date(2026, 3, 16))) == 2


def test_no_sessions_on_a_day_off_the_pattern_at_a_weekend_or_before_the_start(world, robin):
    with school_time(START_DAY):
        assert make(world, date(2026, 3, 17)) == []  # Tuesday: not in the pattern
        assert make(world, date(2026, 3, 21)) == []  # Saturday
        assert make(world, date(2026, 3, 9)) == []  # the Monday before the start


def test_no_sessions_in_the_holiday_on_a_bank_holiday_or_a_training_day(world, robin):
    with school_time(START_DAY):
        assert make(world, date(2026, 4, 6)) == []  # Easter Monday, in the Easter holiday
        assert make(world, date(2026, 5, 4)) == []  # the early May bank holiday, in term
        with school_scope(world.a.id):
            db.session.add(TrainingDay(day=date(2026, 4, 15), note="Staff training"))
            db.session.commit()
        assert make(world, date(2026, 4, 15)) == []  # a Wednesday training day
        assert len(make(world, date(2026, 4, 13))) == 2  # the first Monday of the summer term


@pytest.mark.parametrize("arranged_by, outcome, late, reason, code", [
    (ArrangedBy.SCHOOL, "attended", None, None, "B"),
    (ArrangedBy.LOCAL_AUTHORITY, "attended", None, None, "K"),
    (ArrangedBy.DUAL_REGISTRATION, "attended", None, None, "D"),
    (ArrangedBy.SCHOOL, "late", 20, None, "B"),
    (ArrangedBy.SCHOOL, "late", 45, None, "U"),
    (ArrangedBy.SCHOOL, "absent", None, "I", "I"),
    (ArrangedBy.SCHOOL, "absent", None, None, "N"),
])
def test_confirming_records_who_how_and_the_register_code(world, calendar_a, arranged_by, outcome, late, reason,
                                                           code):
    with school_time("2026-03-09 10:00"):
        active_placement(world, weekdays=(0,), arranged_by=arranged_by)
    with school_time("2026-03-16 09:40"):
        (session,) = make(world, date(2026, 3, 16))
        with school_scope(world.a.id):
            session = db.session.get(AttendanceSession, session.id)
            confirm_session(session, Confirmation(outcome, "call", late, reason),
                            user_id=world.users["a.attendance_officer"].id)
            db.session.commit()
            session = db.session.get(AttendanceSession, session.id)
            assert session.register_code == code
            assert session.confirmed_by_id == world.users["a.attendance_officer"].id
            assert session.confirmed_via.value == "call"


def test_an_absence_with_no_reason_raises_a_welfare_check_for_the_dsl_at_once(world, robin):
    with school_time("2026-03-16 09:40"):
        session = make(world, date(2026, 3, 16))[0]
        with school_scope(world.a.id):
            session = db.session.get(AttendanceSession, session.id)
            confirm_session(session, Confirmation("absent", "provider"), user_id=None)
            db.session.commit()
            check = db.session.scalar(select(WelfareCheck))
            assert check.attendance_session_id == session.id and check.reason.value == "absent_without_reason"
            task = db.session.scalar(select(Task).where(Task.kind == "welfare_check"))
            assert task.urgent and task.assigned_role.value == "dsl"
            assert "07700 900123" in task.detail and "01632 960000" in task.detail  # parent's and provider's


def test_an_absence_with_a_reason_raises_no_welfare_check(world, robin):
    with school_time("2026-03-16 09:40"):
        session = make(world, date(2026, 3, 16))[0]
        with school_scope(world.a.id):
            session = db.session.get(AttendanceSession, session.id)
            confirm_session(session, Confirmation("absent", "parent", absence_reason="M"), user_id=None)
            db.session.commit()
            assert db.session.scalar(select(WelfareCheck)) is None


@pytest.mark.parametrize("confirmation, field", [
    (Confirmation("present", "call"), "outcome"),
    (Confirmation("attended", "pigeon"), "via"),
    (Confirmation("late", "call"), "minutes_late"),
    (Confirmation("late", "call", minutes_late=0), "minutes_late"),
    (Confirmation("attended", "call", minutes_late=5), "minutes_late"),
    (Confirmation("absent", "call", absence_reason="B"), "absence_reason"),
    (Confirmation("attended", "call", absence_reason="I"), "absence_reason"),
])
def test_a_confirmation_that_makes_no_sense_is_refused_naming_the_field_and_nothing_changes(world, robin,
                                                                                            confirmation, field):
    with school_time("2026-03-16 09:40"):
        sessions = make(world, date(2026, 3, 16))
        with school_scope(world.a.id):
            sessions = [db.session.get(AttendanceSession, s.id) for s in sessions]
            with pytest.raises(ConfirmationRefused) as refused:
                confirm_sessions(sessions, confirmation, user_id=None)
            assert field in refused.value.errors
            db.session.rollback()
            assert all(s.confirmed_at is None for s in sessions_on(date(2026, 3, 16)))


def test_the_days_sessions_list_unconfirmed_first_and_only_the_schools_own(world, robin):
    with school_time("2026-03-09 10:00"):
        active_placement(world, world.b, first_name="Ash", weekdays=(0,))
    with school_time("2026-03-16 09:40"):
        am, pm = make(world, date(2026, 3, 16))
        with school_scope(world.a.id):
            confirm_session(db.session.get(AttendanceSession, am.id), Confirmation("attended", "call"), user_id=None)
            db.session.commit()
            listed = sessions_on(date(2026, 3, 16))
            assert [s.id for s in listed] == [pm.id, am.id]
            assert {s.pupil.first_name for s in listed} == {"Robin"}
