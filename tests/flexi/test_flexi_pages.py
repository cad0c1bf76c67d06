"""The flexi-schooling pages (section 10): request -> meeting -> decision (the headteacher only) -> letter ->
agreement -> withdrawal, errors named by field, the pupil page, the school view and the trust's counts; another
school's records are 404s."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, FlexiAgreement, FlexiRequest
from tenants import school_scope, system_scope
from tests.flexi.conftest import D, agree, approve, request_for
from tests.helpers import fresh_client, post_form, school_time, sign_in


def signed_in(app, fx, who):
    client = fresh_client(app)
    assert sign_in(client, fx.world.users[who].email).status_code == 302
    return client


def _ids(model, school_id):
    with school_scope(school_id):
        return list(db.session.scalars(select(model.id).order_by(model.id)))


def test_request_to_agreement_to_withdrawal_through_the_pages(app, flexi):
    school_id, pupil_id = flexi.school_id, flexi.pupil_id
    emails = {k: u.email for k, u in flexi.world.users.items()}
    with school_time("2025-09-15 10:00"):
        leader = signed_in(app, flexi, "a.ap_leader")
        new = "/alder/flexi-schooling/requests/new"
        bad = post_form(leader, new, {"pupil_id": pupil_id, "received_on": "15/09/2025", "requested_by": "",
                                      "request_summary": "Fridays at home", "home_sessions": []})
        page = bad.get_data(as_text=True)
        assert bad.status_code == 400 and "govuk-error-summary" in page
        assert "Enter the parent or carer who made the request." in page
        assert "Choose at least one morning, afternoon or day at home." in page
        assert _ids(FlexiRequest, school_id) == []
        done = post_form(leader, new, {"pupil_id": pupil_id, "received_on": "15/09/2025",
                                       "requested_by": "Morgan Parent", "request_summary": "Fridays at home",
                                       "home_sessions": ["fri_am", "fri_pm"],
                                       "document": (io.BytesIO(b"%PDF-1.4 letter"), "letter.pdf")})
        assert done.status_code == 302
        [request_id] = _ids(FlexiRequest, school_id)
        show = f"/alder/flexi-schooling/requests/{request_id}"
        page = leader.get(show).get_data(as_text=True)
        assert "Friday: whole day" in page and "letter.pdf" in page
        assert "Only the headteacher decides" in page
        assert leader.get(f"{show}/document").data == b"%PDF-1.4 letter"
        assert post_form(leader, f"{show}/meeting", {"meeting_offered_on": "16/09/2025"},
                         form_url=show).status_code == 302
        refused = post_form(leader, f"{show}/decision", {"decision": "approve", "reasons": "x"}, form_url=show)
        assert refused.status_code == 403
    with school_time("2025-09-22 10:00"):
        head = fresh_client(app)
        sign_in(head, emails["a.headteacher"])
        no_reasons = post_form(head, f"{show}/decision", {"decision": "approve", "reasons": ""}, form_url=show)
        assert no_reasons.status_code == 400 and "Give the reasons" in no_reasons.get_data(as_text=True)
        assert post_form(head, f"{show}/decision", {"decision": "approve", "reasons": "A clear plan."},
                         form_url=show).status_code == 302
        letter = head.get(f"{show}/letter.pdf")
        assert letter.mimetype == "application/pdf" and b"A clear plan." in letter.data
        assert post_form(head, f"{show}/letter-sent", {"sent_on": "22/09/2025"}, form_url=show).status_code == 302
        form = f"{show}/agreement"
        missing = post_form(head, form, {"start_date": "06/10/2025", "home_sessions": ["fri_am", "fri_pm"]})
        assert missing.status_code == 400 and "section 7 of the Education Act 1996" in missing.get_data(as_text=True)
        fields = {"pupil_needs": "Needs", "rationale": "Why", "start_date": "06/10/2025",
                  "home_education_provision": "Forest school", "section_7_how_met": "Weekly plan",
                  "welfare_responsible_at_home": "Morgan Parent", "school_curriculum": "Full",
                  "school_assessments": "Termly", "home_sessions": ["fri_am", "fri_pm"]}
        assert post_form(head, form, fields).status_code == 302
        [agreement_id] = _ids(FlexiAgreement, school_id)
        page = head.get(f"/alder/flexi-schooling/agreements/{agreement_id}").get_data(as_text=True)
        assert "Reported to the local authority" in page and "ap@la.example.org" in page
        assert "Autumn term 2025-26 review is due by Friday 19 December 2025" in page
    with school_time("2026-01-05 10:00"):
        leader = signed_in(app, flexi, "a.ap_leader")
        url = f"/alder/flexi-schooling/agreements/{agreement_id}/withdrawal"
        short = post_form(leader, url, {"withdrawn_by": "school", "notice_given_on": "05/01/2026",
                                        "end_date": "16/01/2026"})
        assert short.status_code == 400 and "less than four weeks" in short.get_data(as_text=True)
        assert post_form(leader, url, {"withdrawn_by": "school", "notice_given_on": "05/01/2026",
                                       "end_date": "16/01/2026", "reason": "Attendance has fallen."}).status_code == 302
        page = leader.get(f"/alder/flexi-schooling/agreements/{agreement_id}").get_data(as_text=True)
        assert "ends 16 January 2026" in page and "Attendance has fallen." in page


def test_the_pupil_page_the_school_view_and_the_trust_counts(app, flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        approve(flexi, request_id)
        agree(flexi, request_id, start=D(2025, 10, 6))
        request_for(flexi, key="b")  # waiting at Birch
    with school_time("2025-10-06 10:00"):
        head = signed_in(app, flexi, "a.headteacher")
        pupil = head.get(f"/alder/pupils/{flexi.pupil_id}").get_data(as_text=True)
        assert "Agreement from 6 Oct 2025" in pupil and "Monday: afternoon; Friday: whole day" in pupil
        dashboard = head.get("/alder/").get_data(as_text=True)
        assert "1 current agreement; 0 requests waiting for a decision" in dashboard
        staff = signed_in(app, flexi, "a.staff")
        assert "Flexi-schooling" not in staff.get("/alder/").get_data(as_text=True)
        assert staff.get("/alder/flexi-schooling/").status_code == 403
        trust = signed_in(app, flexi, "trust.trust_safeguarding_lead")
        page = trust.get("/trust/flexi-schooling").get_data(as_text=True)
        rows = [re.sub(r"<[^>]+>|\s+", " ", r).split() for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]
        assert ["Alder", "School", "1", "0"] in rows and ["Birch", "School", "0", "1"] in rows
    with system_scope("test: read the audit trail"):
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.detail.like("%flexi-schooling%"))) is not None


def test_another_schools_flexi_records_are_not_found(app, flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi, key="b").record.id
        approve(flexi, request_id, key="b")
        agreement_id = agree(flexi, request_id, key="b").record.id
        head = signed_in(app, flexi, "a.headteacher")
        base = "/alder/flexi-schooling"
        for url in (f"{base}/requests/{request_id}", f"{base}/requests/{request_id}/letter.pdf",
                    f"{base}/requests/{request_id}/document", f"{base}/requests/{request_id}/agreement",
                    f"{base}/agreements/{agreement_id}", f"{base}/agreements/{agreement_id}/reviews/new",
                    f"{base}/agreements/{agreement_id}/withdrawal"):
            assert head.get(url).status_code == 404, url
        for url in (f"{base}/requests/{request_id}/decision", f"{base}/requests/{request_id}/meeting",
                    f"{base}/agreements/{agreement_id}/withdrawal"):
            assert post_form(head, url, {}, form_url=f"{base}/").status_code == 404, url
