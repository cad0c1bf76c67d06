"""Part-time timetable pages (issue 15): the journey proposal -> agreement -> approval -> review -> return through
the forms, refusals named on the page, permissions (only the headteacher approves), another school's timetable
a 404 on every route, and the school and trust views' counts."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.part_time import PartTimeTimetable
from tenants import school_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.part_time.conftest import PROPOSED_AT, make_pupil


def signed_in(app, world, key):
    client = fresh_client(app)
    assert sign_in(client, world.users[key]).status_code == 302
    return client


def week_fields(am_on_site=(0, 1, 2, 3)):
    fields = {}
    for weekday in range(5):
        fields[f"s-{weekday}-am"] = "on_site" if weekday in am_on_site else "not_in_education"
        fields[f"s-{weekday}-pm"] = "not_in_education"
    return fields


def proposal_fields(pupil_id, **changes):
    fields = {"pupil_id": pupil_id, "reason_category": "medical_needs", "reason_details": "Recovering from surgery",
              "support_plan": "Medical support plan", "start_date": "2026-03-16", "end_date": "2026-04-24",
              **week_fields()}
    fields.update(changes)
    return fields


NEW = "/alder/part-time-timetables/new"


def test_the_journey_from_proposal_to_return(app, world, calendar_a):
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        staff = signed_in(app, world, "a.staff")
        refused = post_form(staff, NEW, proposal_fields(pupil_id, reason_category="behaviour_management"))
        assert refused.status_code == 400
        page = refused.get_data(as_text=True)
        assert "govuk-error-summary" in page and "in order to manage a pupil&#39;s behaviour" in page
        refused = post_form(staff, NEW, proposal_fields(pupil_id, end_date=""))
        assert refused.status_code == 400 and "Enter the end date" in refused.get_data(as_text=True)
        assert post_form(staff, NEW, proposal_fields(pupil_id)).status_code == 302
        with school_scope(world.a.id):
            timetable = db.session.scalar(select(PartTimeTimetable))
            url, carer_id = f"/alder/part-time-timetables/{timetable.id}", timetable.pupil.carers[0].id

        head = signed_in(app, world, "a.headteacher")
        refused = post_form(head, f"{url}/approval", {}, form_url=url)
        assert refused.status_code == 400
        assert "agreement of the parent or carer" in refused.get_data(as_text=True)

        leader = signed_in(app, world, "a.ap_leader")
        assert leader.get(url).status_code == 200
        assert post_form(leader, f"{url}/approval", {}, form_url=url).status_code == 403  # the headteacher only
        assert post_form(leader, f"{url}/agreement", {"carer_id": carer_id, "agreed_on": "2026-03-09",
                                                      "agreed_how": "meeting"}, form_url=url).status_code == 302
        assert post_form(head, f"{url}/approval", {}, form_url=url).status_code == 302
        page = head.get(url).get_data(as_text=True)
        assert "Active" in page and "12.67 of 24 full-time hours" in page

    with school_time("2026-04-13 15:00"):
        leader = signed_in(app, world, "a.ap_leader")
        refused = post_form(leader, f"{url}/reviews", {"held_on": "2026-04-13", "pupil_views": "Tired",
                                                       "parent_views": "Fine", "decision": "extend",
                                                       "extended_to": "2026-05-22"}, form_url=url)
        assert refused.status_code == 400 and "reasons for extending" in refused.get_data(as_text=True)
        assert post_form(leader, f"{url}/reviews", {"held_on": "2026-04-13", "pupil_views": "Mornings are fine",
                                                    "parent_views": "Happy with progress",
                                                    "decision": "continue_with_changes",
                                                    "changes": "Tuesday afternoon on site"},
                         form_url=url).status_code == 302
        assert post_form(leader, f"{url}/end", {"ended_on": "2026-04-20", "end_note": "Recovered"},
                         form_url=url).status_code == 302
        page = leader.get(url).get_data(as_text=True)
        assert "Ended" in page and "returned to full time on 20 April 2026" in page
        assert "Mornings are fine" in page


def test_any_staff_member_may_propose_but_not_see_the_list(app, world, calendar_a):
    with school_time(PROPOSED_AT):
        staff = signed_in(app, world, "a.staff")
        assert staff.get(NEW).status_code == 200
        assert staff.get("/alder/part-time-timetables").status_code == 403
        governor = signed_in(app, world, "a.designated_governor")
        assert governor.get(NEW).status_code == 403


@pytest.fixture
def timetable_of_b(world, calendar_a):
    from tests.part_time.conftest import propose

    with school_time(PROPOSED_AT):
        return propose(world, make_pupil(world, world.b, first_name="Bryn"), school_key="b")


@pytest.mark.parametrize("method, path", [
    ("get", ""), ("post", "/agreement"), ("post", "/involvement"), ("post", "/approval"), ("post", "/reviews"),
    ("post", "/end"),
])
def test_another_schools_timetable_is_a_404_on_every_route(app, world, timetable_of_b, method, path):
    with school_time(PROPOSED_AT):
        head = signed_in(app, world, "a.headteacher")
        url = f"/alder/part-time-timetables/{timetable_of_b}{path}"
        if method == "get":
            assert head.get(url).status_code == 404
        else:
            assert post_form(head, url, {}, form_url="/alder/part-time-timetables").status_code == 404
        with school_scope(world.b.id):
            assert db.session.get(PartTimeTimetable, timetable_of_b).status.value == "proposed"


def test_the_school_view_pupil_page_trust_view_and_la_return(app, world, approved):
    pupil_id, _timetable_id = approved
    with school_time("2026-04-27 10:00"):
        head = signed_in(app, world, "a.headteacher")
        dashboard = head.get("/alder/").get_data(as_text=True)
        assert 'id="part-time-counts"' in dashboard and "43 days (RE)" in dashboard
        pupil_page = head.get(f"/alder/pupils/{pupil_id}").get_data(as_text=True)
        assert "hours in education a week of 24 full time" in pupil_page
        rows = list(csv.DictReader(io.StringIO(head.get("/alder/part-time-timetables/return.csv")
                                               .get_data(as_text=True))))
        assert [(r["Surname"], r["End date"], r["Hours a week"]) for r in rows] == [("Example", "2026-04-24", "12.67")]
        trust = signed_in(app, world, "trust.trust_safeguarding_lead")
        page = trust.get("/trust/part-time-timetables").get_data(as_text=True)
        assert "Alder School" in page and "43 days (RE)" in page and "Robin" not in page
        assert signed_in(app, world, "a.headteacher").get("/trust/part-time-timetables").status_code == 403


def test_the_pupils_responsible_la_is_recorded_on_the_pupils_page(app, world, calendar_a):
    from app.models import LocalAuthority, Pupil
    from tenants import system_scope

    with system_scope("test: another LA"):
        other = LocalAuthority(name="Otherborough Council", code="998")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        url = f"/alder/pupils/{pupil_id}"
        head = signed_in(app, world, "a.headteacher")
        assert "The school&#39;s own local authority:" in head.get(url).get_data(as_text=True)
        assert post_form(head, f"{url}/responsible-local-authority", {"responsible_local_authority_id": other_id},
                         form_url=url).status_code == 302
        assert "Otherborough Council: LA" in head.get(url).get_data(as_text=True)
        with school_scope(world.a.id):
            assert db.session.get(Pupil, pupil_id).responsible_local_authority_id == other_id
        officer = signed_in(app, world, "a.attendance_officer")
        assert post_form(officer, f"{url}/responsible-local-authority", {"responsible_local_authority_id": ""},
                         form_url=url).status_code == 403
        bryn = make_pupil(world, world.b, first_name="Bryn")
        assert post_form(head, f"/alder/pupils/{bryn}/responsible-local-authority",
                         {"responsible_local_authority_id": other_id}, form_url=url).status_code == 404
