"""The trust safeguarding picture (issue 16 item 1; KCSIE; policy 4.4, 4.5): the trust safeguarding lead sees
every open welfare check across schools oldest first with its school, age and holder; a pupil not located with
the steps and status until found; what has escalated to the trust (their inbox); sessions unconfirmed past the
cut-off; and opens each record read-only through the audited trust scope."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from jobs.sweeps import task_reminders
from tenants import system_scope
from tests.attendance.test_welfare_checks import MONDAY, record, signed_in_at
from tests.helpers import fresh_client, school_time, sign_in

LEAD = "trust_safeguarding_lead@trust.example.org"


def user_id(email: str) -> int:
    from app.models import User

    with system_scope("test: a user's id"):
        return db.session.scalar(select(User.id).where(User.email == email))


def trust_reads(user_id: int) -> list[str]:
    with system_scope("test: the audit trail"):
        return [e.detail for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "trust_read", AuditEvent.actor_id == user_id).order_by(AuditEvent.id))]


def lead_client(app, world, local_time: str):
    client = fresh_client(app)
    with school_time(f"{MONDAY} {local_time}"):
        assert sign_in(client, LEAD).status_code == 302
    return client


def test_an_open_check_shows_with_school_age_and_holder_and_opens_read_only(app, world, raised):
    client = lead_client(app, world, "11:40")
    with school_time(f"{MONDAY} 11:45"):
        page = client.get("/trust/safeguarding").get_data(as_text=True)
        assert "Alder School" in page and "Robin" in page
        assert "1 h 14 min" in page and "Overdue" in page  # raised 10:31, first escalation due after an hour
        assert "Designated Safeguarding Lead (DSL)" in page
        assert f'href="/trust/welfare-checks/{raised["id"]}"' in page
        assert "Sessions unconfirmed past their cut-off now" in page
        record_page = client.get(f"/trust/welfare-checks/{raised['id']}")
        assert client.get(f"/alder/welfare-checks/{raised['id']}").status_code == 404  # the school's page stays theirs
    text = record_page.get_data(as_text=True)
    assert record_page.status_code == 200 and "read-only, as the trust sees it" in text
    assert "Open: not yet recorded" in text and "<form" not in text.split("<main", 1)[1].split("</main>")[0]
    reads = trust_reads(user_id(LEAD))
    assert any(r.startswith("trust safeguarding picture") for r in reads)
    assert f"trust read: welfare check {raised['id']}" in reads


def test_not_located_stays_on_the_picture_with_its_steps_until_found_and_reaches_the_trust_inbox(
        app, client, world, raised):
    with signed_in_at(client, raised["people"]["a.dsl"][0], "11:05"):
        record(client, raised["id"], outcome="not_located", notes="No answer from home")
    lead = lead_client(app, world, "11:10")
    with school_time(f"{MONDAY} 11:15"):
        page = lead.get("/trust/safeguarding").get_data(as_text=True)
        assert "Still not located" in page and "call the police on 999" in page
        assert "Nothing has escalated to the trust." in page
        assert "Nothing has escalated to you." in lead.get("/trust/inbox").get_data(as_text=True)
    lead = lead_client(app, world, "14:29")
    with school_time(f"{MONDAY} 14:30"):  # the follow-up: headteacher after an hour, the trust after three
        task_reminders()
        task_reminders()
        inbox = lead.get("/trust/inbox").get_data(as_text=True)
        assert "Missing-child procedure: Robin" in inbox and "Alder School" in inbox
        page = lead.get("/trust/safeguarding").get_data(as_text=True)
        assert "Nothing has escalated to the trust." not in page
    with signed_in_at(client, raised["people"]["a.dsl"][0], "15:00"):
        record(client, raised["id"], outcome="seen_and_safe", checked_time="14:55", notes="Found at home, safe")
    lead = lead_client(app, world, "15:04")
    with school_time(f"{MONDAY} 15:05"):
        page = lead.get("/trust/safeguarding").get_data(as_text=True)
        assert "Still not located" not in page and "Found" in page
        assert "Nothing has escalated to you." in lead.get("/trust/inbox").get_data(as_text=True)


def test_other_trust_roles_see_no_welfare_detail(app, world, raised):
    for email in ("trust_send_lead@trust.example.org", "designated_trustee@trust.example.org"):
        client = fresh_client(app)
        sign_in(client, email)
        assert client.get("/trust/safeguarding").status_code == 403
        assert client.get(f"/trust/welfare-checks/{raised['id']}").status_code == 403


def test_school_staff_of_any_school_cannot_open_the_trust_records(app, world, raised):
    for key in ("a.dsl", "b.dsl", "b.headteacher"):
        client = fresh_client(app)
        sign_in(client, f"{key}@test.example.org")
        for url in ("/trust/safeguarding", f"/trust/welfare-checks/{raised['id']}", "/trust/inbox"):
            assert client.get(url).status_code == 403, (key, url)
    assert trust_reads(user_id("b.dsl@test.example.org")) == []


def test_an_unknown_check_is_a_404(app, world):
    client = fresh_client(app)
    sign_in(client, LEAD)
    assert client.get("/trust/welfare-checks/999999").status_code == 404
    assert client.get("/trust/tasks/999999").status_code == 404
