"""The attendance officer's today page (issue 6 item 2; policy 4.5, 7.8): every expected session across the school,
unconfirmed first, with the provider's contacts; confirming one in a click, a provider's all at once; bad input
refused naming the field with nothing saved; and a fixed number of SQL queries however long the history."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import AttendanceSession, AuditEvent, Placement, School, User, WelfareCheck
from app.services import placements as placement_service
from app.services.attendance import Confirmation, confirm_session, ensure_expected_sessions
from app.services.calendar import calendar_for_school
from tenants import school_scope
from tests.attendance.conftest import active_placement, make_ready_placement, morning_sweep
from tests.helpers import fresh_client, post_form, school_time, sign_in

MONDAY = "2026-03-16 09:45"
PAGE = "/alder/attendance/"


@pytest.fixture
def robin(world, calendar_a):
    with school_time("2026-03-09 10:00"):
        ready = active_placement(world, weekdays=(0, 2), pm_weekdays=(0,))
    morning_sweep("2026-03-16")  # the page lists what the 07:30 sweep made: opening it writes nothing
    return ready


def officer(app, world, who="a.attendance_officer"):
    client = fresh_client(app)
    assert sign_in(client, world.users[who]).status_code == 302
    return client


def sessions_of(world, day=date(2026, 3, 16)) -> list[AttendanceSession]:
    db.session.expire_all()
    with school_scope(world.a.id):
        return list(db.session.scalars(select(AttendanceSession).where(AttendanceSession.day == day)
                                       .order_by(AttendanceSession.session)))


def test_the_page_lists_the_days_sessions_with_the_providers_phone(app, world, robin):
    with school_time(MONDAY):
        page = officer(app, world).get(PAGE).get_data(as_text=True)
    assert "2 of 2 sessions still to confirm" in page
    assert "Robin Example" in page and "Provider for Robin" in page
    assert 'href="tel:01632960000"' in page and "office@provider.example.org" in page
    assert len(sessions_of(world)) == 2


def test_a_get_writes_nothing_and_a_placement_started_during_the_morning_appears_on_the_next_look(
        app, world, robin):
    kit = make_ready_placement(world, first_name="Kit")  # planned, due Monday and Wednesday mornings
    with school_time(MONDAY):
        client = officer(app, world)
        assert "2 of 2 sessions" in client.get(PAGE).get_data(as_text=True)
        assert len(sessions_of(world)) == 2  # the page made nothing for the planned placement
    with school_time("2026-03-16 10:00"), school_scope(world.a.id):
        started = placement_service.start_placement(db.session.get(Placement, kit.placement_id),
                                             db.session.get(User, world.users["a.ap_leader"].id))
        assert started.ok, started.errors or started.missing
    with school_time("2026-03-16 10:05"):
        page = client.get(PAGE).get_data(as_text=True)
        assert "3 of 3 sessions still to confirm" in page and "Kit Example" in page
        assert "3 of 3 sessions" in client.get(PAGE).get_data(as_text=True)
    assert [s.placement_id for s in sessions_of(world)].count(kit.placement_id) == 1


def test_an_attendance_officer_confirms_one_session_attended_in_one_click(app, world, robin):
    with school_time(MONDAY):
        client = officer(app, world)
        am, pm = sessions_of(world) if client.get(PAGE) else ()
        response = post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                             {"outcome": "attended", "via": "call", "minutes_late": "", "absence_reason": ""},
                             form_url=PAGE)
        assert response.status_code == 302
        page = client.get(PAGE).get_data(as_text=True)
    am = sessions_of(world)[0]
    assert (am.outcome.value, am.register_code, am.confirmed_via.value) == ("attended", "B", "call")
    assert am.confirmed_by_id == world.users["a.attendance_officer"].id
    assert "1 of 2 sessions still to confirm" in page
    # unconfirmed first: the PM session is listed before the confirmed AM one
    assert page.index(f'id="session-{pm.id}"') < page.index(f'id="session-{am.id}"')


def test_only_the_pressed_buttons_detail_counts(app, world, robin):
    """Minutes typed in the late box do not spoil an 'Absent' press, and the reason counts only for Absent."""
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        am = sessions_of(world)[0]
        post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                  {"outcome": "absent", "via": "parent", "minutes_late": "10", "absence_reason": "I"}, form_url=PAGE)
    am = sessions_of(world)[0]
    assert (am.outcome.value, am.minutes_late, am.register_code) == ("absent", None, "I")


def test_late_needs_the_minutes_and_a_bad_number_is_refused_naming_the_field(app, world, robin):
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        am = sessions_of(world)[0]
        for minutes in ("", "ten", "0"):
            response = post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                                 {"outcome": "late", "via": "call", "minutes_late": minutes}, form_url=PAGE)
            assert response.status_code == 400
            assert "Minutes late:" in response.get_data(as_text=True)
        response = post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                             {"outcome": "late", "via": "pigeon", "minutes_late": "40"}, form_url=PAGE)
        assert response.status_code == 400 and "How you know:" in response.get_data(as_text=True)
    assert sessions_of(world)[0].confirmed_at is None  # nothing half-saved


def test_a_late_arrival_after_the_register_closed_is_u(app, world, robin):
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        am = sessions_of(world)[0]
        post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                  {"outcome": "late", "via": "provider", "minutes_late": "45"}, form_url=PAGE)
    assert sessions_of(world)[0].register_code == "U"


def test_an_absence_without_a_reason_shows_the_open_welfare_check(app, world, robin):
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        am = sessions_of(world)[0]
        post_form(client, f"/alder/attendance/sessions/{am.id}/confirm",
                  {"outcome": "absent", "via": "call", "absence_reason": ""}, form_url=PAGE)
        page = client.get(PAGE).get_data(as_text=True)
    assert sessions_of(world)[0].register_code == "N"
    assert "Welfare check open" in page and "Absent with no reason given" in page
    with school_scope(world.a.id):
        check_id = db.session.scalar(select(WelfareCheck.id))
    assert f'href="/alder/welfare-checks/{check_id}"' in page  # the DSL's check, one click away


def test_a_correction_replaces_the_mark_and_the_audit_trail_keeps_the_first(app, world, robin):
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        am = sessions_of(world)[0]
        url = f"/alder/attendance/sessions/{am.id}/confirm"
        post_form(client, url, {"outcome": "absent", "via": "call", "absence_reason": "I"}, form_url=PAGE)
        post_form(client, url, {"outcome": "attended", "via": "provider"}, form_url=PAGE)
    am = sessions_of(world)[0]
    assert (am.outcome.value, am.register_code, am.absence_reason) == ("attended", "B", None)
    with school_scope(world.a.id):
        changes = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "AttendanceSession",
                                                              AuditEvent.record_id == str(am.id))).all()
    assert any((e.after or {}).get("register_code") == "I" for e in changes)


def test_confirming_a_providers_remaining_sessions_at_once(app, world, robin):
    with school_time("2026-03-09 10:00"):
        ash = active_placement(world, first_name="Ash", weekdays=(0,), provider_id=robin.provider_id)
        active_placement(world, first_name="Kit", weekdays=(0,))  # another provider: left alone
    morning_sweep("2026-03-16")
    with school_time(MONDAY):
        client = officer(app, world)
        client.get(PAGE)
        robin_am = next(s for s in sessions_of(world) if s.placement_id == robin.placement_id and s.session == "am")
        post_form(client, f"/alder/attendance/sessions/{robin_am.id}/confirm",
                  {"outcome": "absent", "via": "call", "absence_reason": "M"}, form_url=PAGE)
        response = post_form(client, f"/alder/attendance/providers/{robin.provider_id}/confirm-all",
                             {"day": "2026-03-16", "via": "email"}, form_url=PAGE)
        assert response.status_code == 302
        page = client.get(PAGE).get_data(as_text=True)
    by_placement = {(s.placement_id, s.session.value): s for s in sessions_of(world)}
    assert by_placement[(robin.placement_id, "am")].register_code == "M"  # confirmed already: kept
    assert by_placement[(robin.placement_id, "pm")].register_code == "B"
    assert by_placement[(ash.placement_id, "am")].confirmed_via.value == "email"
    assert sum(1 for s in by_placement.values() if s.confirmed_at is None) == 1  # Kit's, at another provider
    assert "1 of 4 sessions still to confirm" in page


def test_another_day_a_day_off_and_a_bad_day(app, world, robin):
    with school_time("2026-03-18 09:45"):
        client = officer(app, world)
        assert "2 of 2 sessions" in client.get(PAGE + "?day=2026-03-16").get_data(as_text=True)
        weekend = client.get(PAGE + "?day=2026-03-21").get_data(as_text=True)
        assert "is not a school day (weekend)" in weekend
        to_come = client.get(PAGE + "?day=2026-03-23").get_data(as_text=True)
        assert "still to come" in to_come
        bad = client.get(PAGE + "?day=16/03/2026")
        assert bad.status_code == 400 and "Day: &#39;16/03/2026&#39; is not a date" in bad.get_data(as_text=True)
    assert sessions_of(world, date(2026, 3, 23)) == []  # nothing made for a day still to come


def test_who_may_record(app, world, robin):
    with school_time(MONDAY):
        head = officer(app, world, "a.headteacher")  # sees, does not record
        page = head.get(PAGE).get_data(as_text=True)
        assert "Robin Example" in page and ">Attended<" not in page
        am = sessions_of(world)[0]
        response = post_form(head, f"/alder/attendance/sessions/{am.id}/confirm",
                             {"outcome": "attended", "via": "call"}, form_url=PAGE)
        assert response.status_code == 403
        other = officer(app, world, "b.attendance_officer")
        response = post_form(other, f"/birch/attendance/sessions/{am.id}/confirm",
                             {"outcome": "attended", "via": "call"}, form_url="/birch/attendance/")
        assert response.status_code == 404
    assert sessions_of(world)[0].confirmed_at is None


# --- SQL queries per request -------------------------------------------------------------------------------------


@contextmanager
def counted_queries():
    counter = {"n": 0}

    def count(*_args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def make_history(world, first: date, last: date) -> None:
    """Every school day's sessions from first to last, confirmed attended."""
    with school_scope(world.a.id):
        calendar = calendar_for_school(world.a.id)
        school = db.session.get(School, world.a.id)
        for day in calendar.school_days_between(first, last):
            ensure_expected_sessions(calendar, day, school)
        for s in db.session.scalars(select(AttendanceSession).where(AttendanceSession.confirmed_at.is_(None),
                                                                 AttendanceSession.day <= last)):
            confirm_session(s, Confirmation("attended", "call"), user_id=world.users["a.attendance_officer"].id)
        db.session.commit()


def queries_for_the_page(app, world) -> tuple[int, int, str]:
    """(queries of the first request; of the next, as all morning; the page)"""
    client = officer(app, world)
    with counted_queries() as first:
        client.get(PAGE)
    with counted_queries() as steady:
        page = client.get(PAGE).get_data(as_text=True)
    return first["n"], steady["n"], page


@pytest.mark.parametrize("placements", [1, 4])
def test_the_page_takes_the_same_few_queries_with_one_day_or_two_months_of_history(app, world, calendar_a,
                                                                                   placements):
    with school_time("2026-03-09 10:00"):
        for i in range(placements):
            active_placement(world, first_name=f"Pupil{i}", weekdays=(0, 1, 2, 3, 4), pm_weekdays=(0, 1, 2, 3, 4))
    today = date(2026, 5, 18)
    morning_sweep(str(today))
    with school_time("2026-05-18 09:45"):
        make_history(world, today - timedelta(days=3), today - timedelta(days=1))  # last Friday only
        short = queries_for_the_page(app, world)
        make_history(world, date(2026, 3, 16), today - timedelta(days=1))  # every school day since 16 March
        with school_scope(world.a.id):
            history = db.session.scalar(select(db.func.count(AttendanceSession.id)))
        long = queries_for_the_page(app, world)
    assert history >= placements * 2 * 35
    assert f"{2 * placements} of {2 * placements} sessions still to confirm" in long[2]
    assert short[1] == long[1] <= 12, (short[:2], long[:2])
