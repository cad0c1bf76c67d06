"""Complaints (policy 11.1): recorded by any member of staff, routed to the headteacher, moved through the
procedure's stages with their dates to an outcome, counted in the report. The policy's review (12.2): adoption and
next review two years on, the trust safeguarding lead reminded ahead; each school's monitoring (12.1)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, Task
from app.models.oversight import Complaint, ComplaintStep, PolicyReview
from app.policy.complaints import may_move_to, next_stages
from app.policy.policy_review import next_review_on, review_reminder_on
from app.services.ap_figures import Window, period_figures
from jobs.oversight_sweeps import policy_review_reminders
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in

NOW = "2026-01-20 10:00"


def signed_in(app, email: str, at: str = NOW):
    client = fresh_client(app)
    with school_time(at):
        assert sign_in(client, email).status_code == 302
    return client


def test_the_procedure_moves_forward_only():
    assert next_stages("received") == ("informal", "formal", "panel")
    assert may_move_to("formal", "informal", False) == "A complaint moves on to a later stage, not back."
    assert may_move_to("received", "panel", False) is None
    assert may_move_to("received", "formal", True) == "The complaint is closed."
    assert may_move_to("received", "nonsense", False) == "Choose a stage of the complaints procedure."


def test_the_review_is_two_years_on_and_the_reminder_sixty_days_before():
    assert next_review_on(dt.date(2025, 9, 1)) == dt.date(2027, 9, 1)
    assert next_review_on(dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)
    assert review_reminder_on(dt.date(2027, 9, 1)) == dt.date(2027, 7, 3)


def test_a_staff_member_records_a_complaint_the_headteacher_takes_it_to_an_outcome(app, world):
    staff = signed_in(app, "a.staff@test.example.org")
    with school_time(NOW):
        bad = post_form(staff, "/alder/complaints/", {"raised_by": "", "about": "", "received_on": "2026-01-19"})
        assert "Enter who raised the concern or complaint." in bad.get_data(as_text=True)
        done = post_form(staff, "/alder/complaints/", {
            "raised_by": "Pat Example", "raised_by_relationship": "Parent", "received_on": "2026-01-19",
            "about": "The placement was arranged without a meeting", "pupil_id": "", "provider_id": ""})
        assert done.status_code == 302 and done.headers["Location"] == "/alder/"
        assert staff.get("/alder/complaints/1").status_code == 403  # staff take complaints; leaders see them
    with school_scope(world.a.id):
        complaint = db.session.scalar(select(Complaint))
        task = db.session.scalar(select(Task).where(Task.kind == "complaint"))
        assert complaint.stage == "received" and task.assigned_role.value == "headteacher"
        complaint_id = complaint.id
    head = signed_in(app, "a.headteacher@test.example.org")
    url = f"/alder/complaints/{complaint_id}"
    with school_time(NOW):
        assert "Pat Example" in head.get("/alder/complaints/").get_data(as_text=True)
        post_form(head, f"{url}/stage", {"stage": "formal", "on": "2026-01-20", "note": "Asked for a formal review"},
                  url)
        back = post_form(head, f"{url}/stage", {"stage": "informal", "on": "2026-01-20"}, url)
        assert back.status_code == 400  # not offered, and refused when sent
        post_form(head, f"{url}/close", {"outcome": "partly_upheld", "closed_on": "2026-01-20",
                                         "outcome_note": "Meeting offered"}, url)
        page = head.get(url).get_data(as_text=True)
    assert "Partly upheld" in page and "Stage 2: formal complaint" in page
    with school_scope(world.a.id):
        db.session.expire_all()
        steps = db.session.scalars(select(ComplaintStep).order_by(ComplaintStep.id)).all()
        assert [(s.stage, s.finished_on) for s in steps] == [("received", dt.date(2026, 1, 20)),
                                                            ("formal", dt.date(2026, 1, 20))]
        assert db.session.scalar(select(Task).where(Task.kind == "complaint")).status.value == "done"
        figures = period_figures({world.a.id: [Window("Jan", dt.date(2026, 1, 1), dt.date(2026, 1, 31))]})
        assert figures[(world.a.id, "Jan")].extra["complaints"] == {"received": 1, "closed": 1}
    other = signed_in(app, "b.headteacher@test.example.org")
    with school_time(NOW):
        assert other.get(url).status_code == 404
        assert other.get(f"/birch/complaints/{complaint_id}").status_code == 404


def test_the_trustee_records_the_adoption_the_lead_is_reminded_once_and_schools_monitoring_shows(app, world):
    trustee = signed_in(app, "designated_trustee@trust.example.org")
    with school_time(NOW):
        bad = post_form(trustee, "/trust/policy-review/", {"adopted_on": "", "next_review_on": "", "reason": ""})
        assert "Enter the date the policy was adopted" in bad.get_data(as_text=True)
        post_form(trustee, "/trust/policy-review/", {"adopted_on": "2024-03-01", "next_review_on": "", "reason": ""})
    with system_scope("test: the review"):
        assert db.session.scalar(select(PolicyReview.next_review_on)) == dt.date(2026, 3, 1)
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        post_form(head, "/alder/policy-monitoring/", {"monitored_on": "2026-01-19",
                                                      "findings": "Reviews on time; one QA visit late"})
    with school_time("2025-12-30 07:05"):
        assert policy_review_reminders() == 0  # 60 days before 1 March is 31 December
    with school_time("2025-12-31 07:05"):
        assert policy_review_reminders() == 1
        assert policy_review_reminders() == 0
    with system_scope("test: the outbox"):
        [note] = db.session.scalars(select(Notification).where(Notification.template == "policy_review_due")).all()
        assert note.recipient_email == "trust_safeguarding_lead@trust.example.org"
    lead = signed_in(app, "trust_safeguarding_lead@trust.example.org")
    with school_time(NOW):
        page = lead.get("/trust/policy-review/").get_data(as_text=True)
    assert "One QA visit late" in page.replace("one", "One") and "Record an adoption" not in page
