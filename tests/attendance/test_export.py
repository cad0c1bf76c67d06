"""The register-code export for the MIS (issue 6 item 4; attendance-codes.md; policy 4.5, 9.6): one row per pupil per
session with its code; unconfirmed sessions with an empty code, marked unconfirmed; a date range; bad dates named."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ArrangedBy, AttendanceSession
from app.policy.attendance import SessionKind
from app.services.attendance import Confirmation, confirm_session
from tenants import school_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.helpers import fresh_client, school_time, sign_in

MONDAY = date(2026, 3, 16)

# (first name, arranged by, outcome, minutes late, reason) -> the code expected in the export
CASES = [
    ("Bea", ArrangedBy.SCHOOL, "attended", None, None, "B"),
    ("Kai", ArrangedBy.LOCAL_AUTHORITY, "attended", None, None, "K"),
    ("Dev", ArrangedBy.DUAL_REGISTRATION, "attended", None, None, "D"),
    ("Uma", ArrangedBy.SCHOOL, "late", 45, None, "U"),
    ("Lou", ArrangedBy.SCHOOL, "late", 10, None, "B"),
    ("Nia", ArrangedBy.SCHOOL, "absent", None, None, "N"),
    ("Ida", ArrangedBy.SCHOOL, "absent", None, "I", "I"),
    ("Mo", ArrangedBy.LOCAL_AUTHORITY, "absent", None, "M", "M"),
]


@pytest.fixture
def day_of_codes(app, world, calendar_a):
    with school_time("2026-03-09 10:00"):
        placements = {name: active_placement(world, first_name=name, weekdays=(0,), arranged_by=arranged_by)
                      for name, arranged_by, *_ in CASES}
        placements["Cal"] = active_placement(world, first_name="Cal", weekdays=(0,))  # part-time timetable
        placements["Una"] = active_placement(world, first_name="Una", weekdays=(0,))  # left unconfirmed
    with school_time("2026-03-16 11:00"):
        morning_sweep("2026-03-16")  # the 07:30 sweep made the day's sessions
        with school_scope(world.a.id):
            by_placement = {s.placement_id: s for s in db.session.scalars(select(AttendanceSession))}
            for name, _arranged, outcome, late, reason, _code in CASES:
                confirm_session(by_placement[placements[name].placement_id],
                                Confirmation(outcome, "call", late, reason),
                                user_id=world.users["a.attendance_officer"].id)
            by_placement[placements["Cal"].placement_id].kind = SessionKind.PART_TIME_TIMETABLE
            db.session.commit()


def officer(app, world):
    """Signed in at the frozen time of the test (sessions lapse after 30 idle minutes)."""
    client = fresh_client(app)
    assert sign_in(client, world.users["a.attendance_officer"]).status_code == 302
    return client


def rows_of(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return {row["First name"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}


@pytest.mark.parametrize("name, code", [(c[0], c[-1]) for c in CASES])
def test_each_confirmed_session_exports_its_register_code(app, world, day_of_codes, name, code):
    with school_time("2026-03-16 15:00"):
        rows = rows_of(officer(app, world).get("/alder/attendance/export.csv?day=2026-03-16"))
    row = rows[name]
    assert (row["Register code"], row["Status"], row["Date"], row["Session"]) == (code, "confirmed", "2026-03-16", "AM")
    assert row["Confirmed by"] == "A Attendance Officer" and row["Confirmed how"] == "call"
    assert row["Confirmed at"] == "2026-03-16 11:00"  # England time


def test_a_part_time_timetable_session_is_c2_and_an_unconfirmed_one_has_no_code(app, world, day_of_codes):
    with school_time("2026-03-16 15:00"):
        rows = rows_of(officer(app, world).get("/alder/attendance/export.csv"))  # today by default
    assert (rows["Cal"]["Register code"], rows["Cal"]["Status"]) == ("C2", "part time timetable")
    assert (rows["Una"]["Register code"], rows["Una"]["Status"], rows["Una"]["Confirmed by"]) == ("", "unconfirmed", "")
    assert rows["Uma"]["Minutes late"] == "45" and rows["Una"]["UPN"].startswith("A")
    assert len(rows) == len(CASES) + 2


def test_the_file_is_named_for_the_school_and_day_and_a_range_covers_each_school_day(app, world, day_of_codes):
    with school_time("2026-03-18 15:00"):
        client = officer(app, world)
        one = client.get("/alder/attendance/export.csv?day=2026-03-16")
        assert 'filename="attendance-alder-2026-03-16.csv"' in one.headers["Content-Disposition"]
        ranged = client.get("/alder/attendance/export.csv?from=2026-03-16&to=2026-03-18")
        assert 'filename="attendance-alder-2026-03-16-to-2026-03-18.csv"' in ranged.headers["Content-Disposition"]
        lines = list(csv.DictReader(io.StringIO(ranged.get_data(as_text=True))))
    # Mondays only in these patterns: 16 March's ten sessions; nothing on the 17th or 18th
    assert {row["Date"] for row in lines} == {"2026-03-16"} and len(lines) == len(CASES) + 2


@pytest.mark.parametrize("query, field", [("day=2026-13-01", "Day"), ("from=yesterday", "From"),
                                          ("from=2026-03-18&to=2026-03-16", "'to' date"),
                                          ("from=2025-01-01&to=2026-03-16", "at most")])
def test_a_bad_date_is_refused_naming_the_field(app, world, day_of_codes, query, field):
    with school_time("2026-03-16 15:00"):
        response = officer(app, world).get(f"/alder/attendance/export.csv?{query}")
    assert response.status_code == 400 and field in response.get_data(as_text=True)


def test_a_name_starting_like_a_formula_is_exported_as_text(app, world, calendar_a):
    with school_time("2026-03-09 10:00"):
        active_placement(world, first_name="=HYPERLINK(1)", weekdays=(0,))
    morning_sweep("2026-03-16")
    with school_time("2026-03-16 15:00"):
        client = fresh_client(app)
        sign_in(client, world.users["a.attendance_officer"])
        body = client.get("/alder/attendance/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in body


def test_who_may_export(app, world, calendar_a):
    with school_time("2026-03-16 15:00"):
        for who, status in (("a.dsl", 403), ("a.ap_leader", 200), ("b.attendance_officer", 404)):
            client = fresh_client(app)
            sign_in(client, world.users[who])
            assert client.get("/alder/attendance/export.csv").status_code == status, who
