"""The demo makes sense on any day (issue 14 item 9): seeded relative to today, the next school day has sessions
on the attendance page, nothing that happened is dated after today, no placement starts or ends in a holiday,
every UPN passes the DfE check, and with Redis down the seed says so in one calm line."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app import clock
from app.demo.placements import next_school_day
from app.extensions import db
from app.models import (
    AttendanceSession,
    FlexiRequest,
    ParentConsultation,
    PartTimeTimetable,
    Placement,
    PlacementReview,
    PlacementStatus,
    Pupil,
    PupilProgressEntry,
    PupilRiskAssessment,
    QAActivity,
    Referral,
    School,
)
from app.services.attendance import ensure_expected_sessions
from app.services.calendar import calendar_for_school
from app.services.pupils import upn_problem
from tenants import school_scope, system_scope
from tests.helpers import school_time

# What records an event that has happened, and the date it happened on.
HAPPENED = ((Referral, "proposed_on"), (PupilRiskAssessment, "assessed_on"), (ParentConsultation, "consulted_on"),
            (PlacementReview, "held_on"), (QAActivity, "held_on"), (PupilProgressEntry, "recorded_on"),
            (FlexiRequest, "received_on"), (FlexiRequest, "decided_on"), (PartTimeTimetable, "start_date"),
            (PartTimeTimetable, "agreed_on"))


def _seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("local", ["2026-03-13 16:00",  # a Friday in term: next is Monday
                                   "2026-03-15 11:00",  # a Sunday
                                   "2026-08-10 10:00"],  # the summer holiday: next is September
                         ids=["term-friday", "sunday", "summer-holiday"])
def test_the_demo_makes_sense_whatever_day_it_is_seeded(app, local):
    with school_time(local):
        _seed(app)
        today = clock.today()
        with system_scope("test: the demo's dates"):
            placements = db.session.scalars(select(Placement)).all()
            calendars = {p.school_id: calendar_for_school(p.school_id) for p in placements}
            for p in placements:
                assert calendars[p.school_id].is_school_day(p.start_date), (p.status, p.start_date)
                if p.ended_on:
                    assert calendars[p.school_id].is_school_day(p.ended_on), p.ended_on
                if p.status in (PlacementStatus.ACTIVE, PlacementStatus.ENDED):
                    assert p.start_date <= today
            for model, column in HAPPENED:
                late = [d for d in db.session.scalars(select(getattr(model, column))) if d and d > today]
                assert not late, f"{model.__name__}.{column} after today: {late}"
            confirmed = db.session.scalars(select(AttendanceSession.day).where(
                AttendanceSession.register_code.is_not(None), AttendanceSession.day > today)).all()
            assert not confirmed
            assert all(upn_problem(upn) is None for upn in db.session.scalars(select(Pupil.upn)))
            for timetable in db.session.scalars(select(PartTimeTimetable)):
                assert calendar_for_school(timetable.school_id).is_school_day(timetable.start_date)
                if timetable.ended_on is None:  # the oversight history's past timetables have ended
                    assert timetable.end_date >= today
            active = {p.school_id for p in placements if p.status is PlacementStatus.ACTIVE}
        assert active
        for school_id in active:
            with school_scope(school_id):
                calendar = calendar_for_school(school_id)
                coming = next_school_day(calendar, today)
                assert coming > today and (coming - today).days <= 40
                ensure_expected_sessions(calendar, coming, db.session.get(School, school_id))
                db.session.commit()
                assert db.session.scalars(select(AttendanceSession).where(AttendanceSession.day == coming)).all()


def test_seeding_with_redis_down_says_so_calmly(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Redis is not running yet" in result.output
    assert "Traceback" not in result.output
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "Redis" in r.getMessage()]
