"""The private calendar feed (issue 7 item 7): made and revoked from the account page (the address shown once, only
its SHA-256 stored); fetched with no session as valid iCalendar (VCALENDAR with PRODID and VERSION, a UID and DTSTART
per event) listing the person's open review tasks, QA visit tasks and follow-up actions across their schools; never
another person's; a revoked, replaced or unknown address is a plain 404."""
from __future__ import annotations

import hashlib
import re

from icalendar import Calendar
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import CalendarFeed
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, ensure_task
from jobs.qa_sweeps import qa_visits_due
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import D, enter_year, qa_placement
from tests.reviews.test_review_record import signed_in


def make_feed(client) -> str:
    response = post_form(client, "/account/calendar-feed/", {}, form_url="/account/")
    assert response.status_code == 200
    url = re.search(r'<code id="feed-url">(.*?)</code>', response.get_data(as_text=True)).group(1)
    return url.replace("http://localhost", "")


def parsed(app, path: str) -> Calendar:
    response = fresh_client(app).get(path)  # a calendar program: no session, no cookies
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    return Calendar.from_ical(response.get_data())


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def some_tasks(ids):
    enter_year(ids.a)
    enter_year(ids.b)
    qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=2)
    qa_placement(ids, "b", first_name="Bea", start=D(2025, 9, 4), qa_every_weeks=2)
    with school_time("2025-09-08 06:50"):
        qa_visits_due()  # a QA visit task for each school's AP leaders
        with school_scope(ids.a):
            due = clock.local_datetime(D(2025, 10, 17), END_OF_SCHOOL_DAY)
            ensure_task(TaskKind.HALF_TERMLY_REVIEW, "review:test", "Half-termly review: Ash Testcase", due)
            ensure_task(TaskKind.FOLLOW_UP_ACTION, "follow-up:test", "Follow-up: send the SEN summary", due,
                        assigned_user_id=ids.users["a.dsl"])
            ensure_task(TaskKind.CALENDAR_NEEDED, "calendar:test", "Enter the term dates", due)  # not a feed kind
            db.session.commit()


def test_the_feed_is_valid_icalendar_of_the_persons_own_reviews_visits_and_actions(app, world):
    ids = Ids(world)
    some_tasks(ids)
    with school_time("2025-09-08 09:00"):
        shared = signed_in(app, ids, "ac.ap_leader")  # AP leader of schools A and C
        path = make_feed(shared)
        assert path.startswith("/calendar-feeds/apcal_") and path.endswith(".ics")
        calendar = parsed(app, path)
        assert calendar.name == "VCALENDAR"
        assert str(calendar["PRODID"]) == "-//AP Hub//Reviews and visits//EN" and str(calendar["VERSION"]) == "2.0"
        found = events(calendar)
        summaries = sorted(str(e["SUMMARY"]) for e in found)
        assert summaries == ["Half-termly review: Ash Testcase (Alder School)",
                             "Quality-assurance visit to Ash's provider (Alder School)"]
        assert len({str(e["UID"]) for e in found}) == 2
        assert sorted(e.decoded("DTSTART") for e in found) == [D(2025, 9, 18), D(2025, 10, 17)]
        visit_event = next(e for e in found if "visit" in str(e["SUMMARY"]))
        assert "/alder/qa/new?provider_id=" in str(visit_event["URL"])

        dsl = signed_in(app, ids, "a.dsl")
        dsl_events = events(parsed(app, make_feed(dsl)))
        assert [str(e["SUMMARY"]) for e in dsl_events] == ["Follow-up: send the SEN summary (Alder School)"]
        b_leader = signed_in(app, ids, "b.ap_leader")
        b_events = [str(e["SUMMARY"]) for e in events(parsed(app, make_feed(b_leader)))]
        assert len(b_events) == 1 and "Bea's provider" in b_events[0] and "Alder" not in b_events[0]
    with system_scope("test: the stored feed"):
        feeds = db.session.scalars(select(CalendarFeed)).all()
        token = path.removeprefix("/calendar-feeds/").removesuffix(".ics")
        assert hashlib.sha256(token.encode()).hexdigest() in {f.token_hash for f in feeds}
        assert all(token not in (f.token_hash or "") for f in feeds)
        assert all(f.last_used_at is not None for f in feeds)


def test_revoked_replaced_and_unknown_addresses_are_not_found(app, world):
    ids = Ids(world)
    some_tasks(ids)
    with school_time("2025-09-08 09:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        first = make_feed(leader)
        assert "You have a calendar feed" in leader.get("/account/").get_data(as_text=True)
        second = make_feed(leader)  # a new address ends the old one
        anonymous = fresh_client(app)
        assert anonymous.get(first).status_code == 404
        assert anonymous.get(second).status_code == 200
        response = post_form(leader, "/account/calendar-feed/revoke", {}, form_url="/account/")
        assert response.status_code == 302
        assert anonymous.get(second).status_code == 404
        assert anonymous.get("/calendar-feeds/apcal_not-a-real-token.ics").status_code == 404
        assert "Make my calendar feed" in leader.get("/account/").get_data(as_text=True)
        assert leader.post("/account/calendar-feed/", data={}).status_code == 400  # no CSRF token


def test_a_disabled_persons_feed_stops(app, world):
    ids = Ids(world)
    some_tasks(ids)
    with school_time("2025-09-08 09:00"):
        path = make_feed(signed_in(app, ids, "a.ap_leader"))
        with system_scope("test: disable the person"):
            from app.models import User

            db.session.get(User, ids.users["a.ap_leader"]).is_enabled = False
            db.session.commit()
        assert fresh_client(app).get(path).status_code == 404
