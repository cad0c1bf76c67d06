"""The headteacher's report (issue 16 items 4 and 5; policy 4.1, 4.2, 8.7): produced for a term or a date range,
compared with the terms before, with charts and tables, as a page and a PDF; never naming a pupil; marked presented
to governors and sent to the trust; governors see presented reports and record their notes."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.models.oversight import GovernorsNote, HeadteacherReport
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.oversight.history import add_history, enter_years
from tests.placements.conftest import vetted_provider

NOW = "2026-01-20 10:00"
NAMES = ("Zebedee", "Quillon", "Historic")  # the history's pupils' names: never in a report


@pytest.fixture
def history(world):
    enter_years(world.a.id)
    provider = vetted_provider(world, name="Willow Tutors")
    leader = world.users["a.ap_leader"].id
    add_history(world.a.id, provider, leader, "Zebedee", dt.date(2025, 4, 28), dt.date(2025, 7, 11),
                destination="Returned to school")
    add_history(world.a.id, provider, leader, "Quillon", dt.date(2025, 9, 8), dt.date(2025, 12, 12),
                destination="College", not_located=True)
    add_history(world.a.id, provider, leader, "Yarrow", dt.date(2025, 9, 15), None)
    return world


def signed_in(app, email: str, at: str = NOW):
    client = fresh_client(app)
    with school_time(at):
        assert sign_in(client, email).status_code == 302
    return client


def produce(client, **data):
    values = {"term": "", "label": "", "first_day": "", "last_day": ""}
    values.update(data)
    return post_form(client, "/alder/reports/", values)


def report_row() -> HeadteacherReport:
    with system_scope("test: the report"):
        db.session.expire_all()
        return db.session.scalar(select(HeadteacherReport))


def test_the_autumn_term_report_compares_with_the_terms_before_and_names_no_pupil(app, history):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        form = head.get("/alder/reports/").get_data(as_text=True)
        assert "Autumn term 2025-26" in form
        response = produce(head, term="2025-09-04|2025-12-19|Autumn term 2025-26")
        assert response.status_code == 302
        again = produce(head, term="2025-09-04|2025-12-19|Autumn term 2025-26")  # a double click: one report
        assert again.headers["Location"] == response.headers["Location"]
        page = head.get(response.headers["Location"]).get_data(as_text=True)
        pdf = head.get(response.headers["Location"] + ".pdf")
    assert "Summer term 2024-25" in page and "Spring term 2024-25" in page  # the two terms before
    for title in ("Use of alternative provision", "Attendance at AP", "Welfare checks and their outcomes",
                  "Reviews and quality-assurance visits on time", "Outcomes and destinations", "Off-site directions",
                  "Concerns about providers", "Complaints about how the policy was applied",
                  "Cost and value for money", "Part-time timetables", "Flexi-schooling"):
        assert title in page, title
    assert page.count("<svg") >= 10 and "AP Hub does not hold these records yet" not in page
    assert "Pupils on a part-time timetable" in page and "Flexi-schooling requests received" in page
    assert "College" in page and "Willow Tutors" in page
    use = re.search(r"Pupils in AP</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r">(\d+|–)<", use) == ["0", "1", "2"]  # spring 24-25, summer 24-25, autumn 25-26
    not_located = re.search(r"Not located \(missing-child procedure\)</th>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r">(\d+)<", not_located)[-1] == "1"
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert b"Use of alternative provision" in pdf.data and b"Willow Tutors" in pdf.data
    for name in NAMES:
        assert name not in page and name.encode() not in pdf.data


def test_a_date_range_with_bad_dates_names_the_field_and_saves_nothing(app, history):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        page = produce(head, first_day="2025-12-01", last_day="2025-11-01").get_data(as_text=True)
        assert "The last day must be on or after the first day." in page
        page = produce(head, first_day="", last_day="2025-11-01").get_data(as_text=True)
        assert "Enter the first day of the period." in page
        ok = produce(head, first_day="2025-10-01", last_day="2025-10-31", label="October 2025")
    assert ok.status_code == 302
    assert report_row().label == "October 2025"


def test_presented_to_governors_and_sent_to_the_trust_then_governors_read_it_and_note_questions(app, history):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        url = produce(head, term="2025-09-04|2025-12-19|Autumn term 2025-26").headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])

    governor = signed_in(app, "a.designated_governor@test.example.org")
    with school_time(NOW):
        assert governor.get(url).status_code == 404  # not yet presented: the headteacher's working copy
        assert "No report has been presented yet." in governor.get("/alder/governors/").get_data(as_text=True)

    with school_time(NOW):
        bad = post_form(head, f"{url}/presented", {"presented_on": "2026-01-15", "presented_meeting": ""}, url)
        assert bad.status_code == 400 and "Enter the meeting" in bad.get_data(as_text=True)
        assert report_row().presented_on is None
        post_form(head, f"{url}/presented", {"presented_on": "2026-01-15", "presented_meeting": "Full governing body"},
                  url)
        post_form(head, f"{url}/sent", {}, url)
        post_form(head, f"{url}/sent", {}, url)  # twice: one email each
    row = report_row()
    assert row.presented_on == dt.date(2026, 1, 15) and row.sent_to_trust_at is not None
    with system_scope("test: the outbox"):
        emails = db.session.scalars(select(Notification.recipient_email).where(
            Notification.template == "report_sent_to_trust")).all()
    assert sorted(emails) == ["designated_trustee@trust.example.org", "trust_safeguarding_lead@trust.example.org"]

    governor = signed_in(app, "a.designated_governor@test.example.org", "2026-01-20 10:30")
    with school_time("2026-01-20 10:31"):
        home = governor.get("/alder/governors/").get_data(as_text=True)
        assert "Autumn term 2025-26" in home and "Live figures" in home
        page = governor.get(url).get_data(as_text=True)
        assert "Full governing body" in page and "Record the governors" in page
        assert "Record it presented" not in page and "Send it to the trust" not in page
        post_form(governor, f"{url}/notes", {"questions": "Why did attendance fall?", "actions": "AP leader to report"},
                  url)
        assert governor.post(f"{url}/presented", data={}).status_code in (400, 403)
    for name in NAMES:
        assert name not in home and name not in page
    with school_scope(history.a.id):
        [note] = db.session.scalars(select(GovernorsNote)).all()
        assert note.questions == "Why did attendance fall?" and note.report_id == report_id

    lead = signed_in(app, "trust_safeguarding_lead@trust.example.org", "2026-01-20 10:40")
    with school_time("2026-01-20 10:41"):
        trust_page = lead.get(f"/trust/reports/{report_id}")
    assert trust_page.status_code == 200 and "Alder School" in trust_page.get_data(as_text=True)


def test_another_school_gets_404_for_every_report_route(app, history):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        url = produce(head, term="2025-09-04|2025-12-19|Autumn term 2025-26").headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])
    other = signed_in(app, "b.headteacher@test.example.org")
    with school_time(NOW):
        for path in (f"/alder/reports/{report_id}", f"/alder/reports/{report_id}.pdf", "/alder/reports/",
                     "/alder/governors/"):
            assert other.get(path).status_code == 404, path
        for path in (f"/birch/reports/{report_id}", f"/birch/reports/{report_id}.pdf"):
            assert other.get(path).status_code == 404, path
        for action in ("presented", "sent", "notes"):
            assert post_form(other, f"/birch/reports/{report_id}/{action}", {}, "/birch/reports/").status_code == 404


def test_the_api_gives_the_same_figures_and_no_pupil(app, history):
    from app.services import api_tokens

    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        url = produce(head, term="2025-09-04|2025-12-19|Autumn term 2025-26").headers["Location"]
    report_id = int(url.rsplit("/", 1)[1])
    with system_scope("test: tokens"):
        from app.models import User

        tokens = {key: api_tokens.issue(db.session.scalar(select(User).where(User.email == f"{key}@test.example.org")),
                                        "test") for key in ("a.headteacher", "a.designated_governor", "b.headteacher")}
    api = fresh_client(app)
    auth = lambda key: {"Authorization": f"Bearer {tokens[key]}"}  # noqa: E731
    with school_time(NOW):
        body = api.get(f"/api/v1/schools/alder/reports/{report_id}", headers=auth("a.headteacher")).get_json()
        figures = api.get("/api/v1/schools/alder/report-figures?from=2025-09-04&to=2025-12-19",
                          headers=auth("a.headteacher")).get_json()
        bad = api.get("/api/v1/schools/alder/report-figures?from=2025-12-19&to=2025-09-04",
                      headers=auth("a.headteacher"))
        governor = api.get(f"/api/v1/schools/alder/reports/{report_id}", headers=auth("a.designated_governor"))
        governor_list = api.get("/api/v1/schools/alder/reports", headers=auth("a.designated_governor")).get_json()
        other = api.get(f"/api/v1/schools/birch/reports/{report_id}", headers=auth("b.headteacher"))
        other_school = api.get(f"/api/v1/schools/alder/reports/{report_id}", headers=auth("b.headteacher"))
    use = next(s for s in body["figures"]["sections"] if s["key"] == "use")
    assert use["rows"][0] == {"label": "Pupils in AP", "kind": "count", "values": [0, 1, 2]}
    assert [s["rows"] for s in figures["sections"]] == [s["rows"] for s in body["figures"]["sections"]]
    assert bad.status_code == 400
    assert governor.status_code == 404 and governor_list == {"items": [], "next": None}  # not yet presented
    assert other.status_code == 404 and other_school.status_code == 404
    text = str(body) + str(figures)
    assert not any(name in text for name in NAMES)
