"""Flexi-schooling in the register (10.3, 10.5): home sessions are code C in the expected sessions, the today page's
day, the MIS export and the percentages; nothing is made on a day that is not a school day; after the end date
the register returns to normal."""
from __future__ import annotations

import csv
import io
from datetime import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, FlexiAgreement, SessionOfDay, WeeklySession
from app.policy.attendance import SessionKind
from app.services import flexi_schooling as service
from app.services.attendance import Confirmation, ConfirmationRefused, confirm_session, ensure_expected_sessions
from app.services.attendance_picture import marks_of_pupil, picture_of
from app.services.attendance_today import attendance_day, export_csv, export_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope
from tests.flexi.conftest import D, agree, approve, request_for
from tests.helpers import school_time
from tests.reviews.conftest import active_placement


@pytest.fixture
def pupil_with_both(flexi):
    """A pupil at a provider on Wednesday mornings, and at home on Monday afternoons and all of Friday from Monday
    12 January 2026 (spring 1 of 2025-26)."""
    made = active_placement(SimpleNamespace(schools={"a": flexi.school_id}), first_name="Kit", start=D(2025, 9, 4))
    with school_scope(flexi.school_id):
        db.session.add(WeeklySession(placement_id=made.placement_id, weekday=2, session=SessionOfDay.AM,
                                     starts_at=time(9, 0), ends_at=time(12, 0)))
        db.session.commit()
    with school_time("2026-01-05 10:00"):
        request_id = request_for(flexi, pupil_id=made.pupil_id, received_on=D(2026, 1, 5)).record.id
        approve(flexi, request_id)
        agreement_id = agree(flexi, request_id, start=D(2026, 1, 12)).record.id
    return made.pupil_id, agreement_id


def _sessions(school_id, pupil_id):
    with school_scope(school_id):
        return [(s.day, s.session.value, s.kind.value, s.register_code) for s in db.session.scalars(
            select(AttendanceSession).where(AttendanceSession.pupil_id == pupil_id)
            .order_by(AttendanceSession.day, AttendanceSession.session))]


def _make(school_id, day):
    with school_time(f"{day} 07:30"):
        with school_scope(school_id):
            made = ensure_expected_sessions(calendar_for_school(school_id), D.fromisoformat(day))
            db.session.commit()
            return made


def test_home_sessions_are_c_on_school_days_only(flexi, pupil_with_both):
    pupil_id, _ = pupil_with_both
    for day in ("2026-01-09", "2026-01-12", "2026-01-14", "2026-01-16", "2026-01-17", "2026-02-16"):
        _make(flexi.school_id, day)
    assert _make(flexi.school_id, "2026-01-16") == 0  # idempotent
    home = "flexi_schooling_home"
    assert _sessions(flexi.school_id, pupil_id) == [
        # Friday 9 January: before the start, nothing at home; Saturday 17th and half-term (16 February): nothing.
        (D(2026, 1, 12), "pm", home, "C"),
        (D(2026, 1, 14), "am", "provision", None),
        (D(2026, 1, 16), "am", home, "C"), (D(2026, 1, 16), "pm", home, "C")]


def test_c_in_the_today_page_the_export_and_the_percentages(flexi, pupil_with_both):
    pupil_id, _ = pupil_with_both
    school_id = flexi.school_id
    for day in ("2026-01-12", "2026-01-14", "2026-01-16"):  # the morning sweeps (the export only reads)
        _make(school_id, day)
    with school_time("2026-01-14 10:00"), school_scope(school_id):
        [session] = db.session.scalars(select(AttendanceSession).where(AttendanceSession.day == D(2026, 1, 14)))
        confirm_session(session, Confirmation("attended", "call"), user_id=flexi.user("attendance_officer").id)
        db.session.commit()
    with school_time("2026-01-16 10:00"), school_scope(school_id):
        calendar = calendar_for_school(school_id)
        school = db.session.get(type(flexi.world.a), school_id)
        rows = list(csv.DictReader(io.StringIO(export_csv(export_sessions(calendar, D(2026, 1, 9), D(2026, 1, 16),
                                                                          school)))))
        day = attendance_day(calendar, D(2026, 1, 16))
        assert [s.kind for s in day.sessions] == [SessionKind.FLEXI_SCHOOLING_HOME] * 2
        assert day.unconfirmed == [] and day.providers == []  # nothing to confirm, no provider to call
        picture = picture_of(marks_of_pupil(pupil_id), calendar)
    assert [(r["Date"], r["Session"], r["Register code"], r["Provider"], r["Status"]) for r in rows] == [
        ("2026-01-12", "PM", "C", "Home (flexi-schooling)", "flexi schooling home"),
        ("2026-01-14", "AM", "B", "Kit's provider", "confirmed"),
        ("2026-01-16", "AM", "C", "Home (flexi-schooling)", "flexi schooling home"),
        ("2026-01-16", "PM", "C", "Home (flexi-schooling)", "flexi schooling home")]
    # C is an authorised absence: a possible session not attended (attendance-codes.md): 1 of 4.
    assert picture.overall == 25.0 and picture.unconfirmed == 0


def test_a_home_session_cannot_be_confirmed(flexi, pupil_with_both):
    _make(flexi.school_id, "2026-01-12")
    with school_time("2026-01-12 10:00"), school_scope(flexi.school_id):
        [session] = db.session.scalars(select(AttendanceSession))
        with pytest.raises(ConfirmationRefused) as refused:
            confirm_session(session, Confirmation("absent", "call"), user_id=flexi.user("attendance_officer").id)
    assert set(refused.value.errors) == {"kind"}


def test_after_the_end_date_the_register_returns_to_normal(flexi, pupil_with_both):
    pupil_id, agreement_id = pupil_with_both
    for day in ("2026-01-12", "2026-01-16", "2026-01-19"):
        _make(flexi.school_id, day)
    # Notice recorded late, ending on Friday 16th: the home session made for Monday 19th goes.
    with school_time("2026-01-19 12:00"), school_scope(flexi.school_id):
        result = service.withdraw(db.session.get(FlexiAgreement, agreement_id), service.WithdrawalInput(
            "parent", D(2026, 1, 13), D(2026, 1, 16), "Family moving away; the school agreed a short notice."),
            flexi.user("ap_leader"))
        assert result.ok
    for day in ("2026-01-23", "2026-01-26"):
        assert _make(flexi.school_id, day) == 0
    assert [(d, s) for d, s, kind, _ in _sessions(flexi.school_id, pupil_id) if kind != "provision"] == [
        (D(2026, 1, 12), "pm"), (D(2026, 1, 16), "am"), (D(2026, 1, 16), "pm")]


def test_the_today_page_shows_home_sessions_as_c_with_nothing_to_confirm(app, flexi, pupil_with_both):
    from tests.helpers import fresh_client, sign_in

    _make(flexi.school_id, "2026-01-16")  # the 07:30 sweep: the page only reads
    with school_time("2026-01-16 09:40"):
        client = fresh_client(app)
        sign_in(client, flexi.world.users["a.attendance_officer"].email)
        page = client.get("/alder/attendance/").get_data(as_text=True)
    assert page.count("Home (flexi-schooling)") == 2 and page.count("<strong>C</strong>") == 2
    assert "Set by the arrangement" in page and "Nothing is waiting to be confirmed." in page


def test_no_agreement_puts_a_providers_session_at_home(flexi, pupil_with_both):
    pupil_id, _ = pupil_with_both
    with school_time("2026-09-07 10:00"):  # a new school year: a new request may be considered
        request_id = request_for(flexi, pupil_id=pupil_id, received_on=D(2026, 9, 7), pattern=["wed_am"]).record.id
        approve(flexi, request_id)
        result = agree(flexi, request_id, start=D(2026, 9, 14))
    assert "Wednesday morning is a session at Kit's provider" in result.errors["home_pattern"]
    assert "agreement from 12 January 2026 is still running" in result.errors["request"]  # one at a time
