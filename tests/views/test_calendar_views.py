"""The school calendar pages and the service behind them: every role reads, only the AP leader edits, bad input
names the field and saves nothing, another school's records are a 404, and the demo seed covers today."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import AuditEvent, HalfTerm, School, Term, TrainingDay
from app.roles import SchoolRoleName
from app.school_calendar import generate_school_year
from app.services.calendar import calendar_for_school, calendar_for_schools
from tenants import TenantScopeError, school_scope, system_scope
from tests.helpers import csrf_token, plain_html, post_form, school_time, sign_in

A_HALF_TERMS = generate_school_year(2025)  # the reference table (reference/calendar.md)
# School B sets its own dates: Autumn 1 runs a week longer and its October break is a week later.
B_HALF_TERMS = [
    (2025, Term.AUTUMN, 1, date(2025, 9, 1), date(2025, 10, 31)),
    (2025, Term.AUTUMN, 2, date(2025, 11, 10), date(2025, 12, 19)),
]


@pytest.fixture
def calendars(world):
    """School A has the reference year and a training day on Monday 3 November 2025; school B its own dates."""
    with school_scope(world.a.id):
        for h in A_HALF_TERMS:
            db.session.add(HalfTerm(school_id=world.a.id, academic_year=h.academic_year, term=Term(h.term),
                                    part=h.part, first_day=h.first_day, last_day=h.last_day))
        db.session.add(TrainingDay(school_id=world.a.id, day=date(2025, 11, 3), note="Safeguarding training"))
        db.session.commit()
    with school_scope(world.b.id):
        for year, term, part, first, last in B_HALF_TERMS:
            db.session.add(HalfTerm(school_id=world.b.id, academic_year=year, term=term, part=part,
                                    first_day=first, last_day=last))
        db.session.add(TrainingDay(school_id=world.b.id, day=date(2025, 11, 10)))
        db.session.commit()
    return world


def _ids(model, school: School) -> list[int]:
    with system_scope("test: read back"):
        return list(db.session.scalars(select(model.id).where(model.school_id == school.id).order_by(model.id)))


def _half_terms(school: School) -> list[tuple]:
    with system_scope("test: read back"):
        rows = db.session.scalars(select(HalfTerm).where(HalfTerm.school_id == school.id)
                                  .order_by(HalfTerm.first_day)).all()
        return [(r.term.value, r.part, r.first_day, r.last_day) for r in rows]


def _audit_count() -> int:
    """Audit events about calendar records (signing in is audited too, and is not what these tests watch)."""
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.record_type.in_(("HalfTerm", "TrainingDay"))))


def _text(response) -> str:
    return plain_html(response.get_data(as_text=True))


@contextmanager
def signed_in(app, user, when: str = "2025-11-04 10:00"):
    """A fresh client signed in as `user`, with the clock frozen at `when` (school-local) throughout. Its own app
    context, so Flask-Login's user cached on `g` by an earlier client's requests does not carry over."""
    with school_time(when), app.app_context():
        client = app.test_client()
        assert sign_in(client, user).status_code == 302
        yield client


# --- reading the calendar ----------------------------------------------------------------------------------


def test_every_school_role_sees_the_calendar(app, calendars):
    for role in SchoolRoleName:
        with signed_in(app, calendars.users[f"a.{role.value}"]) as client:
            page = client.get("/alder/calendar")
        assert page.status_code == 200, role
        html = _text(page)
        assert "Today is Tuesday 4 November 2025: a school day in Autumn 2 2025-26." in html
        assert "2025-26 school year" in html and "2026-27 school year" in html
        assert "No half-terms are entered for 2026-27 yet." in html
        # school-day counts: Autumn 2 less the training day; the year: 195 less it
        assert re.search(r"Autumn 2</th><td>Mon 3 Nov 2025</td><td>Fri 19 Dec 2025</td><td>34</td>", html)
        assert re.search(r"Total</th><td></td><td></td><td>194</td>", html)
        assert "Safeguarding training" in html
        assert "May Day" in html and "Mon 4 May 2026" in html  # a bank holiday inside Summer 1
        assert 'href="/alder/calendar"' in html  # the navigation link
        can_edit = role is SchoolRoleName.AP_LEADER
        assert ("Add a half-term" in html) is can_edit, role
        assert ("/alder/calendar/training-days/" in html) is can_edit, role
        assert ("/alder/calendar/half-terms/" in html) is can_edit, role


def test_today_says_whether_it_is_a_school_day(app, calendars):
    for when, words in (
        ("2025-10-29 10:00", "Wednesday 29 October 2025: not a school day – the school holidays. The next "
                             "half-term, Autumn 2 2025-26, starts on Mon 3 Nov 2025."),
        ("2025-11-03 10:00", "Monday 3 November 2025: not a school day for pupils – a training day in Autumn 2 "
                             "2025-26."),
        ("2026-05-04 10:00", "Monday 4 May 2026: not a school day – a bank holiday (May Day), in Summer 1 2025-26."),
        ("2025-09-06 10:00", "Saturday 6 September 2025: not a school day – the weekend, in Autumn 1 2025-26."),
        ("2026-08-10 10:00", "Monday 10 August 2026: the school's calendar has not been entered this far"),
    ):
        with signed_in(app, calendars.users["a.staff"], when) as client:
            assert words in _text(client.get("/alder/calendar")).replace("&#39;", "'"), when


def test_each_school_sees_its_own_dates(app, calendars):
    # 29 October 2025: school A's half-term week, school B's Autumn 1
    with signed_in(app, calendars.users["b.headteacher"], "2025-10-29 10:00") as client:
        html = _text(client.get("/birch/calendar"))
    assert "a school day in Autumn 1 2025-26" in html
    assert "Spring 1" not in html and "Safeguarding training" not in html


def test_people_outside_the_school_get_404(app, client, calendars):
    for key in ("b.ap_leader", "trust.designated_trustee", "trust.trust_safeguarding_lead", "none"):
        with signed_in(app, calendars.users[key]) as other:
            assert other.get("/alder/calendar").status_code == 404, key
    assert client.get("/alder/calendar").status_code == 302  # signed out: to the sign-in page


# --- who may edit -----------------------------------------------------------------------------------------


def test_only_the_ap_leader_edits(app, calendars):
    half_term_id, training_day_id = _ids(HalfTerm, calendars.a)[0], _ids(TrainingDay, calendars.a)[0]
    before = _audit_count()
    for role in SchoolRoleName:
        if role is SchoolRoleName.AP_LEADER:
            continue
        with signed_in(app, calendars.users[f"a.{role.value}"]) as client:
            token = csrf_token(client, "/alder/calendar")  # the sign-out form carries one
            for url in ("/alder/calendar/half-terms/new", f"/alder/calendar/half-terms/{half_term_id}",
                        "/alder/calendar/training-days/new"):
                assert client.get(url).status_code == 403, (role, url)
            for url, data in (
                ("/alder/calendar/half-terms/new", {"academic_year": "2026", "half_term": "autumn-1",
                                                    "first_day": "2026-09-03", "last_day": "2026-10-23"}),
                (f"/alder/calendar/half-terms/{half_term_id}", {"academic_year": "2025", "half_term": "autumn-1",
                                                                "first_day": "2025-09-01", "last_day": "2025-10-24"}),
                (f"/alder/calendar/half-terms/{half_term_id}/remove", {}),
                ("/alder/calendar/training-days/new", {"day": "2025-11-04"}),
                (f"/alder/calendar/training-days/{training_day_id}/remove", {}),
            ):
                assert client.post(url, data={**data, "csrf_token": token}).status_code == 403, (role, url)
    assert len(_ids(HalfTerm, calendars.a)) == 6 and _ids(TrainingDay, calendars.a) == [training_day_id]
    assert _half_terms(calendars.a)[0][2] == date(2025, 9, 4)
    assert _audit_count() == before


def test_ap_leader_adds_a_half_term(app, calendars):
    user = calendars.users["a.ap_leader"]
    with signed_in(app, user, "2026-06-15 10:00") as client:
        form = client.get("/alder/calendar/half-terms/new")
        assert form.status_code == 200
        # A GOV.UK date input: a fieldset named "First day" around day, month and year boxes.
        assert re.search(r'<legend>First day</legend>.*?<label for="first_day-day">Day</label>', _text(form), re.S)
        assert '<option value="2025" selected>2025-26</option>' in _text(form)  # this school year first
        response = post_form(client, "/alder/calendar/half-terms/new", {
            "academic_year": "2026", "half_term": "autumn-1", "first_day": "03/09/2026", "last_day": "2026-10-23"})
        assert response.status_code == 302 and response.headers["Location"] == "/alder/calendar"
        assert "Autumn 1 2026-27 is saved." in _text(client.get("/alder/calendar"))
    assert ("autumn", 1, date(2026, 9, 3), date(2026, 10, 23)) in _half_terms(calendars.a)
    event_row = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "HalfTerm",
                                                            AuditEvent.action == "create",
                                                            AuditEvent.actor_id == user.id)).one()
    assert event_row.school_id == calendars.a.id and event_row.after["first_day"] == "2026-09-03"


def test_ap_leader_changes_a_half_term(app, calendars):
    autumn_1 = _ids(HalfTerm, calendars.a)[0]
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        page = client.get(f"/alder/calendar/half-terms/{autumn_1}")
        assert re.search(r'name="first_day-day" type="text" value="4".*?name="first_day-month" type="text" '
                         r'value="9".*?name="first_day-year" type="text" value="2025"', _text(page), re.S)
        response = post_form(client, f"/alder/calendar/half-terms/{autumn_1}", {
            "academic_year": "2025", "half_term": "autumn-1", "first_day": "2025-09-03", "last_day": "2025-10-24"})
    assert response.status_code == 302
    assert _half_terms(calendars.a)[0] == ("autumn", 1, date(2025, 9, 3), date(2025, 10, 24))
    with school_scope(calendars.a.id):
        assert calendar_for_school().is_school_day(date(2025, 9, 3))


def test_entering_the_missing_dates_completes_the_calendar_task(app, calendars):
    from app import clock
    from app.models.tasks import Task, TaskStatus
    from app.services.calendar import calendar_need
    from app.services.tasks import TaskKind

    # 1 July 2026: the calendar ends on 23 July, less than 30 days ahead, so the sweep asked for 2026-27
    with school_time("2026-07-01 06:30"), school_scope(calendars.a.id):
        need = calendar_need(calendar_for_school(), clock.today())
        assert need.dedupe_key == "calendar-needed:2026-27"
        db.session.add(Task(school_id=calendars.a.id, kind=TaskKind.CALENDAR_NEEDED.value, title=need.title,
                            dedupe_key=need.dedupe_key, assigned_role=SchoolRoleName.AP_LEADER,
                            due_at=clock.now()))
        db.session.commit()
    leader = calendars.users["a.ap_leader"]
    with signed_in(app, leader, "2026-07-01 10:00") as client:
        # a bad entry answers nothing
        post_form(client, "/alder/calendar/half-terms/new", {
            "academic_year": "2026", "half_term": "autumn-1", "first_day": "2026-09-05", "last_day": "2026-10-23"})
        with system_scope("test: read back"):
            assert db.session.scalars(select(Task.status)).one() is TaskStatus.OPEN
        response = post_form(client, "/alder/calendar/half-terms/new", {
            "academic_year": "2026", "half_term": "autumn-1", "first_day": "2026-09-03", "last_day": "2026-10-23"})
        assert response.status_code == 302
    with system_scope("test: read back"):
        task = db.session.scalars(select(Task)).one()
        assert (task.status, task.completed_by_id) == (TaskStatus.DONE, leader.id)


BAD_HALF_TERMS = [
    ({"first_day": ""}, "First day", "Enter the first day."),
    ({"last_day": "31/02/2026"}, "Last day", "Enter a real date"),
    ({"last_day": "2026-10-30"}, "Last day", "The last day must be the same as or after the first day."),
    ({"first_day": "2026-10-31"}, "First day", "Saturday is not a weekday"),
    ({"first_day": "2027-09-02", "last_day": "2027-10-22"}, "First day", "within the 2026-27 school year"),
    ({"academic_year": "1999"}, "School year", "Not a valid choice"),
    ({"half_term": "winter-3"}, "Half-term", "Not a valid choice"),
    ({"half_term": "autumn-2", "first_day": "2026-10-19", "last_day": "2026-12-18"},
     "First day", "overlap Autumn 1 2026-27"),
    ({"half_term": "spring-2", "first_day": "2026-11-02", "last_day": "2026-12-18"},
     "First day", "Spring 2 must come after Spring 1 2026-27"),
    ({"academic_year": "2025", "half_term": "autumn-2", "first_day": "2026-07-27", "last_day": "2026-07-31"},
     "Half-term", "Autumn 2 2025-26 is already entered"),
]


def test_bad_half_term_input_names_the_field_and_saves_nothing(app, calendars):
    with school_scope(calendars.a.id):
        db.session.add_all([
            HalfTerm(school_id=calendars.a.id, academic_year=2026, term=Term.AUTUMN, part=1,
                     first_day=date(2026, 9, 3), last_day=date(2026, 10, 23)),
            HalfTerm(school_id=calendars.a.id, academic_year=2026, term=Term.SPRING, part=1,
                     first_day=date(2027, 1, 4), last_day=date(2027, 2, 12))])
        db.session.commit()
    good = {"academic_year": "2026", "half_term": "autumn-2", "first_day": "2026-11-02", "last_day": "2026-12-18"}
    before_rows, before_audit = _half_terms(calendars.a), _audit_count()
    with signed_in(app, calendars.users["a.ap_leader"], "2026-06-15 10:00") as client:
        for data, field_label, message in BAD_HALF_TERMS:
            response = post_form(client, "/alder/calendar/half-terms/new", {**good, **data})
            html = _text(response)
            assert response.status_code == 200, data
            summary = html.split('<div role="alert">')[1].split("</div>")[0]
            assert "There is a problem" in summary
            assert re.search(rf'<a href="#[\w-]+">{re.escape(field_label)}: [^<]*{re.escape(message)}', summary), \
                (data, summary)
            assert 'aria-invalid="true"' in html
    assert _half_terms(calendars.a) == before_rows
    assert _audit_count() == before_audit


def test_a_bad_change_leaves_the_half_term_as_it_was(app, calendars):
    autumn_2 = _ids(HalfTerm, calendars.a)[1]
    url = f"/alder/calendar/half-terms/{autumn_2}"
    before, before_audit = _half_terms(calendars.a), _audit_count()
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        # Starting Autumn 2 on 10 November would leave the training day of 3 November outside every half-term
        response = post_form(client, url, {"academic_year": "2025", "half_term": "autumn-2",
                                           "first_day": "2025-11-10", "last_day": "2025-12-19"})
        assert response.status_code == 200
        assert "First day: The training day on Mon 3 Nov 2025 would be outside every half-term" in _text(response)
        response = post_form(client, url, {"academic_year": "2025", "half_term": "autumn-2",
                                           "first_day": "2025-10-20", "last_day": "2025-12-19"})
        assert "overlap Autumn 1 2025-26" in _text(response)
    assert _half_terms(calendars.a) == before
    assert _audit_count() == before_audit


def test_removing_a_half_term(app, calendars):
    autumn_2, summer_2 = _ids(HalfTerm, calendars.a)[1], _ids(HalfTerm, calendars.a)[5]
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        # refused while its training day would be left outside every half-term
        response = post_form(client, f"/alder/calendar/half-terms/{autumn_2}/remove", {},
                             form_url=f"/alder/calendar/half-terms/{autumn_2}")
        assert response.headers["Location"] == f"/alder/calendar/half-terms/{autumn_2}"
        assert "remove it first" in _text(client.get(response.headers["Location"]))
        assert autumn_2 in _ids(HalfTerm, calendars.a)
        response = post_form(client, f"/alder/calendar/half-terms/{summer_2}/remove", {},
                             form_url=f"/alder/calendar/half-terms/{summer_2}")
        assert response.headers["Location"] == "/alder/calendar"
    assert summer_2 not in _ids(HalfTerm, calendars.a)
    deleted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "delete",
                                                          AuditEvent.record_type == "HalfTerm")).one()
    assert deleted.before["last_day"] == "2026-07-23"


def test_ap_leader_adds_and_removes_a_training_day(app, calendars):
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        response = post_form(client, "/alder/calendar/training-days/new", {"day": "2026-01-05", "note": "Curriculum"})
        assert response.status_code == 302
        with school_scope(calendars.a.id):
            assert not calendar_for_school().is_school_day(date(2026, 1, 5))
        new_id = _ids(TrainingDay, calendars.a)[-1]
        response = post_form(client, f"/alder/calendar/training-days/{new_id}/remove", {}, form_url="/alder/calendar")
        assert response.status_code == 302
    assert new_id not in _ids(TrainingDay, calendars.a)
    with school_scope(calendars.a.id):
        assert calendar_for_school().is_school_day(date(2026, 1, 5))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "TrainingDay")
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, (e.after or e.before)["day"]) for e in events][-2:] == [
        ("create", "2026-01-05"), ("delete", "2026-01-05")]
    assert events[-1].record_id == str(new_id) and events[-1].actor_id == calendars.users["a.ap_leader"].id


BAD_TRAINING_DAYS = [
    ({"day": ""}, "Training day: Enter the date of the training day."),
    ({"day": "2025-11-08"}, "Training day: Saturday 8 November 2025 is a weekend day"),
    ({"day": "2026-05-04"}, "Training day: Monday 4 May 2026 is a bank holiday (May Day)."),
    ({"day": "2025-10-29"}, "Training day: Wednesday 29 October 2025 is not inside any of the school's half-terms"),
    ({"day": "2025-11-03"}, "Training day: Monday 3 November 2025 is already a training day."),
    ({"day": "2025-11-04", "note": "x" * 201}, "Note (optional): The note must be 200 characters or fewer."),
]


def test_bad_training_day_input_names_the_field_and_saves_nothing(app, calendars):
    before, before_audit = _ids(TrainingDay, calendars.a), _audit_count()
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        for data, message in BAD_TRAINING_DAYS:
            response = post_form(client, "/alder/calendar/training-days/new", data)
            assert response.status_code == 200, data
            summary = _text(response).replace("&#39;", "'").split('<div role="alert">')[1].split("</ul>")[0]
            assert message in summary, (data, summary)
    assert _ids(TrainingDay, calendars.a) == before
    assert _audit_count() == before_audit


# --- another school's records ---------------------------------------------------------------------------


def test_another_schools_half_term_or_training_day_is_a_404(app, calendars):
    b_half_term, b_training_day = _ids(HalfTerm, calendars.b)[0], _ids(TrainingDay, calendars.b)[0]
    with signed_in(app, calendars.users["a.ap_leader"]) as client:
        token = csrf_token(client, "/alder/calendar")
        assert client.get(f"/alder/calendar/half-terms/{b_half_term}").status_code == 404
        assert client.post(f"/alder/calendar/half-terms/{b_half_term}", data={
            "csrf_token": token, "academic_year": "2025", "half_term": "autumn-1",
            "first_day": "2025-09-01", "last_day": "2025-10-24"}).status_code == 404
        assert client.post(f"/alder/calendar/half-terms/{b_half_term}/remove",
                           data={"csrf_token": token}).status_code == 404
        assert client.post(f"/alder/calendar/training-days/{b_training_day}/remove",
                           data={"csrf_token": token}).status_code == 404
    assert _half_terms(calendars.b)[0] == ("autumn", 1, date(2025, 9, 1), date(2025, 10, 31))
    assert _ids(TrainingDay, calendars.b) == [b_training_day]


def test_a_leader_of_two_schools_edits_each_in_its_own_scope(app, calendars):
    a_half_term = _ids(HalfTerm, calendars.a)[0]
    with signed_in(app, calendars.users["ac.ap_leader"]) as client:
        response = post_form(client, "/cedar/calendar/half-terms/new", {
            "academic_year": "2025", "half_term": "autumn-1", "first_day": "2025-09-04", "last_day": "2025-10-24"})
        assert response.status_code == 302
        assert client.get(f"/cedar/calendar/half-terms/{a_half_term}").status_code == 404
        assert client.get(f"/alder/calendar/half-terms/{a_half_term}").status_code == 200
    assert _half_terms(calendars.schools["c"]) == [("autumn", 1, date(2025, 9, 4), date(2025, 10, 24))]
    assert len(_half_terms(calendars.a)) == 6


# --- loading calendars for sweeps --------------------------------------------------------------------------


def test_calendar_for_schools_loads_many_schools_in_one_statement(app, calendars):
    ids = [s.id for s in calendars.schools.values()]
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with system_scope("test: sweep loads calendars"):
            loaded = calendar_for_schools(ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1  # one UNION ALL (issue 18)
    a, b, c = (loaded[calendars.schools[k].id] for k in "abc")
    assert len(a.half_terms) == 6 and a.training_days == {date(2025, 11, 3)}
    assert len(b.half_terms) == 2 and b.training_days == {date(2025, 11, 10)}
    assert c.half_terms == () and not c.covers(date(2025, 11, 4))
    assert a.is_school_day(date(2025, 10, 30)) is False and b.is_school_day(date(2025, 10, 30)) is True
    assert a.half_term_for(date(2025, 11, 4)).id == _ids(HalfTerm, calendars.a)[1]
    assert a.nth_school_day_after(date(2025, 10, 31), 1) == date(2025, 11, 4)


def test_calendar_for_school_reads_only_the_current_school(app, calendars):
    with school_scope(calendars.b.id):
        mine = calendar_for_school()
        assert [h.first_day for h in mine.half_terms] == [date(2025, 9, 1), date(2025, 11, 10)]
        with pytest.raises(TenantScopeError):
            calendar_for_schools([calendars.a.id, calendars.b.id])
        with pytest.raises(TenantScopeError):
            calendar_for_school(calendars.a.id)
    with pytest.raises(TenantScopeError):
        calendar_for_school()  # no scope at all


# --- the demo ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when, years", [
    ("2026-03-30 09:00", (2025, 2026)),  # term time
    ("2026-08-10 12:00", (2025, 2026)),  # summer holiday: the year just ended and the next
    ("2026-09-02 12:00", (2025, 2026)),  # the day before Autumn 1 2026 starts
    ("2026-09-03 12:00", (2026, 2027)),
    ("2027-12-27 12:00", (2027, 2028)),  # Christmas holidays
])
def test_demo_seed_creates_calendars_covering_today(app, when, years):
    from app import clock
    from app.demo import seed_demo

    with school_time(when):
        seed_demo()
        today = clock.today()
    with system_scope("test: demo calendars"):
        school_ids = list(db.session.scalars(select(School.id)))
        loaded = calendar_for_schools(school_ids)
    assert len(school_ids) == 4
    for calendar in loaded.values():
        assert calendar.covers(today)
        # The year before too (issue 14 item 9): placements that ended months ago, and the oversight demo's two
        # terms of history, fall on entered school days.
        entered = sorted({h.academic_year for h in calendar.half_terms})
        assert entered == [years[0] - 1, *years]
        assert len(calendar.half_terms) == 6 * len(entered) and len(calendar.training_days) == 2 * len(entered)
        assert all(calendar.half_term_for(d) is not None and d.weekday() < 5 for d in calendar.training_days)
        assert calendar.current_or_next_half_term(today) is not None
