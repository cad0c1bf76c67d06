"""The placement pages: the readiness list links, starting, the second school shut out, the off-site direction
(approval by the governor, the letter date rule, the PDF), and the trust's cross-school view."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import AuditEvent, Notification, OffSiteDirection, Placement, PlacementStatus
from tenants import school_scope
from tests.helpers import fresh_client, post_form, sign_in
from tests.placements.conftest import make_ready_placement


def client_for(app, world, who):
    client = fresh_client(app)
    assert sign_in(client, world.users[who]).status_code == 302
    return client


def status_of(world, school, placement_id):
    db.session.expire_all()
    with school_scope(school.id):
        return db.session.get(Placement, placement_id).status


def test_the_placement_page_lists_what_is_missing_each_linking_to_where_it_is_done(app, world, ready):
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        placement.key_information_shared_on = None
        db.session.commit()
    client = client_for(app, world, "a.ap_leader")
    page = client.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True)
    assert "What is still missing" in page
    assert f'href="/alder/placements/{ready.placement_id}/key-information"' in page
    assert "Start the placement" not in page
    response = post_form(client, f"/alder/placements/{ready.placement_id}/start", {},
                         form_url=f"/alder/placements/{ready.placement_id}")
    assert response.status_code == 302
    assert status_of(world, world.a, ready.placement_id) == PlacementStatus.PLANNED


def test_an_ap_leader_starts_a_ready_placement_and_the_notice_is_on_the_notices_page(app, world, ready):
    client = client_for(app, world, "a.ap_leader")
    page = client.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True)
    assert "Nothing is missing" in page and "Start the placement" in page
    post_form(client, f"/alder/placements/{ready.placement_id}/start", {},
              form_url=f"/alder/placements/{ready.placement_id}")
    assert status_of(world, world.a, ready.placement_id) == PlacementStatus.ACTIVE
    notices = client.get("/alder/notices").get_data(as_text=True)
    assert "Placement of RE at Meadow Farm Learning" in notices


def test_a_second_school_cannot_start_or_see_the_first_schools_placement(app, world, ready):
    client = client_for(app, world, "b.ap_leader")
    assert client.get(f"/birch/placements/{ready.placement_id}").status_code == 404
    assert client.get("/alder/placements/").status_code == 404
    response = post_form(client, f"/birch/placements/{ready.placement_id}/start", {}, form_url="/birch/placements/")
    assert response.status_code == 404
    assert status_of(world, world.a, ready.placement_id) == PlacementStatus.PLANNED
    assert "Robin" not in client.get("/birch/placements/").get_data(as_text=True)
    with school_scope(world.a.id):
        assert db.session.scalars(select(Notification)).all() == []


def test_other_roles_see_placements_but_only_the_ap_leader_commissions(app, world, ready):
    attendance = client_for(app, world, "a.attendance_officer")
    assert attendance.get(f"/alder/placements/{ready.placement_id}").status_code == 200
    assert attendance.get("/alder/placements/new").status_code == 403
    assert post_form(attendance, f"/alder/placements/{ready.placement_id}/start", {},
                     form_url=f"/alder/placements/{ready.placement_id}").status_code == 403
    assert client_for(app, world, "a.staff").get("/alder/placements/").status_code == 403


def test_an_off_site_direction_needs_the_governing_bodys_approval_before_it_starts(app, world, frozen, calendar_a):
    frozen.move_to(datetime(2026, 3, 13, 9, 0, tzinfo=SCHOOL_TZ))  # Friday, the school day before the start
    ready = make_ready_placement(world, first_name="Jordan", directed=True)
    leader = client_for(app, world, "a.ap_leader")
    url = f"/alder/placements/{ready.placement_id}/direction"
    response = post_form(leader, url, {"reasons_and_objectives": "Repeated disruption; to re-engage",
                                       "report_to": "Ms Example at reception", "review_on": "20/04/2026",
                                       "ends_by": "22/05/2026"})
    assert response.status_code == 302
    with school_scope(world.a.id):
        direction_id = db.session.scalar(select(OffSiteDirection.id))
    # the letter: 2 school days before Monday 16 March is Thursday 12 March; Friday 13th is too late
    late = post_form(leader, f"/alder/placements/directions/{direction_id}/letter-sent", {"sent_on": "13/03/2026"},
                     form_url=url)
    assert late.status_code == 400 and "must be sent by Thursday 12 March 2026" in late.get_data(as_text=True)
    assert post_form(leader, f"/alder/placements/directions/{direction_id}/letter-sent", {"sent_on": "12/03/2026"},
                     form_url=url).status_code == 302
    # without the approval the start is refused
    post_form(leader, f"/alder/placements/{ready.placement_id}/start", {}, form_url=url)
    assert status_of(world, world.a, ready.placement_id) == PlacementStatus.PLANNED
    page = leader.get(f"/alder/placements/{ready.placement_id}").get_data(as_text=True)
    assert "Record the governing body&#39;s approval of the off-site direction." in page
    # the AP leader cannot record it; the designated governor does
    approval = f"/alder/placements/directions/{direction_id}/approval"
    assert leader.get(approval).status_code == 403
    governor = client_for(app, world, "a.designated_governor")
    bad = post_form(governor, approval, {"approved_on": "17/03/2026", "reference": ""})
    assert bad.status_code == 200 and "Enter the meeting or minute" in bad.get_data(as_text=True)
    assert post_form(governor, approval, {"approved_on": "04/03/2026",
                                          "reference": "FGB 4 March 2026, minute 7"}).status_code == 302
    post_form(leader, f"/alder/placements/{ready.placement_id}/start", {}, form_url=url)
    assert status_of(world, world.a, ready.placement_id) == PlacementStatus.ACTIVE


def test_the_letter_to_parents_is_a_pdf_with_the_duty_under_section_444(app, world, frozen, calendar_a):
    ready = make_ready_placement(world, first_name="Kai", directed=True)
    with school_scope(world.a.id):
        db.session.add(OffSiteDirection(placement_id=ready.placement_id, reasons_and_objectives="To improve behaviour",
                                        review_on=date(2026, 4, 20), ends_by=date(2026, 5, 22),
                                        report_to="Mr Example"))
        db.session.commit()
        direction_id = db.session.scalar(select(OffSiteDirection.id))
    client = client_for(app, world, "a.ap_leader")
    pdf = client.get(f"/alder/placements/directions/{direction_id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    assert pdf.data.startswith(b"%PDF") and b"Your duty" in pdf.data and b"Education Act 1996" in pdf.data
    page = client.get(f"/alder/placements/directions/{direction_id}/letter.pdf?view=page").get_data(as_text=True)
    for words in ("Meadow Farm Learning", "Mr Example", "section 444(1)",
                  "your consent is not required", "Monday AM: 09:00 to 12:00", "15 school days"):
        assert words in page


def test_the_trust_safeguarding_lead_sees_every_schools_placements_by_initials(app, world, frozen, calendar_a):
    make_ready_placement(world, first_name="Robin")
    make_ready_placement(world, world.b, first_name="Blake", ehcp=True)
    client = client_for(app, world, "trust.trust_safeguarding_lead")
    page = client.get("/trust/placements").get_data(as_text=True)
    assert "Alder School" in page and "Birch School" in page and "RE" in page and "BE" in page
    assert "Robin" not in page and "Blake" not in page
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "trust_read")).startswith(
        "trust placements")
    assert client_for(app, world, "a.headteacher").get("/trust/placements").status_code == 403


def test_the_review_interval_is_refused_on_the_agreement_field(app, world, ready):
    """Issue 14 item 4: a rule known at entry is refused on its field, not found later on the readiness list
    (8.3: reviews at least half-termly, so at most every 6 weeks for an off-site placement)."""
    client = client_for(app, world, "a.ap_leader")
    url = f"/alder/placements/{ready.placement_id}/agreement"
    response = post_form(client, url, {"aims_and_outcomes": "Re-engage", "review_every_weeks": "8"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert "Reviews every (weeks): Reviews every 8 weeks are too far apart" in page
    with school_scope(world.a.id):
        db.session.expire_all()
        assert db.session.get(Placement, ready.placement_id).agreement.review_every_weeks != 8  # nothing saved
    assert post_form(client, url, {"aims_and_outcomes": "Re-engage", "review_every_weeks": "6"}).status_code == 302


def test_the_trust_placements_page_filters_by_school_and_pages(app, world, frozen, calendar_a, monkeypatch):
    """Issue 18: the page rendered every one of 3,000 rows each time; now one school's, or a page at a time."""
    from app.services.placements import week

    monkeypatch.setattr(week, "TRUST_PLACEMENTS_PAGE_SIZE", 1)
    make_ready_placement(world, first_name="Robin")
    make_ready_placement(world, world.b, first_name="Blake", ehcp=True)
    client = client_for(app, world, "trust.trust_safeguarding_lead")
    first = client.get("/trust/placements").get_data(as_text=True)
    assert "page 1 of 2" in first and "Next page" in first
    assert ("<td>Alder School</td>" in first) != ("<td>Birch School</td>" in first)
    second = client.get("/trust/placements?page=2").get_data(as_text=True)
    assert "page 2 of 2" in second and "Previous page" in second
    birch = client.get(f"/trust/placements?school={world.b.id}").get_data(as_text=True)
    assert "<td>Birch School</td>" in birch and "<td>Alder School</td>" not in birch and "BE" in birch
    assert f'<option value="{world.b.id}" selected>Birch School (1)</option>' in birch
    unknown = client.get("/trust/placements?school=999999&page=7").get_data(as_text=True)
    assert "page 2 of 2" in unknown  # an unknown school shows every school; a page past the end, the last
