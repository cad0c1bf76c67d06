"""The trust dashboard (issue 16 item 2): one row per school with today's and this half-term's figures, each a
link, coloured by app.policy.oversight_thresholds; a trend per measure over six half-terms (SVG and table); key
contacts on their own page; a query count that grows neither with schools nor with history."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services.trust_dashboard import trust_dashboard
from tenants import trust_scope
from tests.attendance.test_welfare_checks import MONDAY
from tests.helpers import fresh_client, school_time, sign_in
from tests.oversight.history import add_history, add_school, enter_years
from tests.placements.conftest import vetted_provider

LEAD = "trust_safeguarding_lead@trust.example.org"


def row_of(page: str, school: str) -> str:
    return re.search(rf"<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">{school}.*?</tr>",
                     page, re.S).group(0)


def test_each_school_has_its_row_coloured_and_linked(app, world, raised):
    client = fresh_client(app)
    with school_time(f"{MONDAY} 11:44"):
        sign_in(client, LEAD)
    with school_time(f"{MONDAY} 11:45"):
        response = client.get("/trust/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    alder, birch = row_of(page, "Alder School"), row_of(page, "Birch School")
    assert "rating-act" in alder and "Act now" in alder  # an overdue welfare check
    assert 'href="/trust/safeguarding#open-checks"' in alder and 'href="/trust/placements"' in alder
    assert "rating-act" not in birch and "Act now" not in birch
    assert "<svg" in page and "Attendance at AP by half-term" in page and "Pupils in AP by half-term" in page
    assert 'href="/trust/contacts"' in page and "B Alternative Provision Leader" not in page


def test_the_figures_and_trend(app, world):
    provider = vetted_provider(world, name="Willow Tutors")
    school = add_school(world, "elm", "Elm Academy")
    enter_years(school)
    leader = world.users["a.ap_leader"].id
    add_history(school, provider, leader, "Ash", dt.date(2025, 9, 8), dt.date(2025, 12, 12), destination="College")
    add_history(school, provider, leader, "Bay", dt.date(2026, 1, 5), None, codes=("B", "B", "B", "O"),
                not_located=True)
    with school_time("2026-03-16 12:00"), trust_scope(lead_id(world), "test: the dashboard"):
        board = trust_dashboard()
        row = next(r for r in board.rows if r.school.name == "Elm Academy")
        cells = {c.measure.value: c for c in row.cells}
        assert cells["pupils_in_ap"].value == 1
        assert cells["attendance_at_ap"].value == pytest.approx(200 / 3)  # spring 2: O on 23 Feb, B, B
        assert cells["attendance_at_ap"].rating.value == "act"
        assert cells["providers_expiring"].value == 0
        trend = {t.measure: t for t in board.trends}
        assert trend["pupils_in_ap"].keys[-1] == "2025-26 Spring 2" and len(trend["pupils_in_ap"].keys) == 6
        elm = dict((s.name, v) for s, v in trend["pupils_in_ap"].by_school)["Elm Academy"]
        assert elm[-6:] == [None, None, 1, 1, 1, 1] or elm == [0, 0, 1, 1, 1, 1]
        not_located = dict((s.name, v) for s, v in trend["not_located"].by_school)["Elm Academy"]
        assert not_located[-2] == 1 and sum(v or 0 for v in not_located) == 1



def test_providers_in_use_whose_vetting_ends_within_30_days(app, world):
    """7.9: named with the school using them; a provider no school uses now, or vetted for longer, is not."""
    with school_time("2025-03-10 12:00"):  # approved on 3 March 2025: vetted until 2 March 2026
        ending = vetted_provider(world, name="Willow Tutors")
        no_longer_used = vetted_provider(world, name="Rowan Riding")
    with school_time("2025-09-01 12:00"):  # vetted until 24 August 2026
        vetted_longer = vetted_provider(world, name="Hazel Crafts")
    school = add_school(world, "elm", "Elm Academy")
    enter_years(school)
    leader = world.users["a.ap_leader"].id
    add_history(school, ending, leader, "Ash", dt.date(2026, 1, 5), None)
    add_history(school, vetted_longer, leader, "Bay", dt.date(2026, 1, 5), None)
    add_history(school, no_longer_used, leader, "Cy", dt.date(2025, 9, 8), dt.date(2025, 12, 12))
    with school_time("2026-02-16 12:00"), trust_scope(lead_id(world), "test: the dashboard"):
        board = trust_dashboard()
    assert [(s.name, p.name, until) for s, p, until in board.expiring] == [
        ("Elm Academy", "Willow Tutors", dt.date(2026, 3, 2))]
    row = next(r for r in board.rows if r.school.name == "Elm Academy")
    assert {c.measure.value: c.value for c in row.cells}["providers_expiring"] == 1
    with school_time("2026-03-03 12:00"), trust_scope(lead_id(world), "test: the dashboard"):
        assert trust_dashboard().expiring == []  # no longer vetted: no longer "ending soon"

def lead_id(world) -> int:
    from sqlalchemy import select

    from app.models import User
    from tenants import system_scope

    with system_scope("test: the lead"):
        return db.session.scalar(select(User.id).where(User.email == LEAD))


def count_queries(fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_the_query_count_does_not_grow_with_schools_or_history(app, world):
    provider = vetted_provider(world, name="Willow Tutors")
    leader = world.users["a.ap_leader"].id

    lead = lead_id(world)

    def measure():
        with school_time("2026-03-16 12:00"), trust_scope(lead, "test: the dashboard's queries"):
            db.session.expire_all()
            return count_queries(trust_dashboard)

    first = add_school(world, "elm", "Elm Academy")
    enter_years(first)
    add_history(first, provider, leader, "Ash", dt.date(2026, 1, 5), None)
    small = measure()
    for n in range(4):  # four more schools, each with two years of placements
        school = add_school(world, f"oak{n}", f"Oak {n} Academy")
        enter_years(school)
        for start in (dt.date(2024, 9, 9), dt.date(2025, 1, 6), dt.date(2025, 9, 8), dt.date(2026, 1, 5)):
            add_history(school, provider, leader, f"P{n}{start:%y%m}", start,
                        None if start.year == 2026 else start + dt.timedelta(days=90))
    assert measure() == small


def test_the_contacts_page_statements_do_not_grow_with_schools_or_their_las(app, world):
    """Each school's LA is named from the contacts loaded together, not looked up per LA (18 statements at 50
    schools in 9 LAs before)."""
    from app.models import LocalAuthority, School
    from tenants import system_scope

    client = fresh_client(app)
    with school_time(f"{MONDAY} 11:44"):
        sign_in(client, LEAD)

    def statements_of_the_page() -> int:
        with school_time(f"{MONDAY} 11:45"):
            response = [None]
            count = count_queries(lambda: response.__setitem__(0, client.get("/trust/contacts")))
        assert response[0].status_code == 200
        return count

    before = statements_of_the_page()
    for n in range(3):  # three more schools, each in an LA of its own
        with system_scope("test: another LA"):
            la = LocalAuthority(name=f"Shire {n} County Council", code=f"99{n}")
            db.session.add(la)
            db.session.commit()
            la_id = la.id
        school = add_school(world, f"shire{n}", f"Shire {n} Academy")
        with system_scope("test: the school's LA"):
            db.session.get(School, school).local_authority_id = la_id
            db.session.commit()
    page = statements_of_the_page()
    assert page == before
