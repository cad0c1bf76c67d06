"""The pupil's progress and voice (8.7) on their timeline; the school view's last and next QA visit of every active
placement, overdue first (8.1); the trust's count of each school's overdue QA visits beside its overdue reviews."""
from __future__ import annotations

import re

from app.models import PupilProgressEntry
from jobs.qa_sweeps import qa_visits_due
from tests.helpers import post_form, school_time
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import D, count, enter_year, provider_of, qa_placement, visit
from tests.reviews.test_review_record import signed_in


def rows(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]


def test_progress_achievements_and_the_pupils_own_assessment_on_the_timeline(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = qa_placement(ids, first_name="Ash", start=D(2025, 9, 4))
    url = f"/alder/pupils/{made.pupil_id}/progress/new"
    with school_time("2025-10-01 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        assert url in leader.get(f"/alder/pupils/{made.pupil_id}").get_data(as_text=True)
        page = post_form(leader, url, {"recorded_on": "2025-10-02"}).get_data(as_text=True)
        assert "Choose progress, an achievement or the pupil&#39;s own assessment" in page
        assert "The date cannot be in the future." in page
        page = post_form(leader, url, {"kind": "pupil_assessment", "recorded_on": "2025-09-30"}).get_data(as_text=True)
        assert "Enter the pupil&#39;s own words about the provision." in page
        assert count(ids.a, PupilProgressEntry) == 0
        for kind, text in (("pupil_assessment", "I like the workshop, the staff listen"),
                           ("achievement", "Entry Level maths certificate")):
            response = post_form(leader, url, {"kind": kind, "recorded_on": "2025-09-30", "text": text,
                                               "placement_id": str(made.placement_id)})
            assert response.status_code == 302
        pupil_page = leader.get(f"/alder/pupils/{made.pupil_id}").get_data(as_text=True)
        dsl = signed_in(app, ids, "a.dsl")  # the DSL records progress too; the attendance officer does not
        assert dsl.get(url).status_code == 200
        assert signed_in(app, ids, "a.attendance_officer").get(url).status_code == 403
    timeline = pupil_page[pupil_page.index('id="timeline"'):]
    assert "The pupil&#39;s own assessment of the provision" in timeline
    assert "I like the workshop, the staff listen" in timeline and "Entry Level maths certificate" in timeline
    assert count(ids.a, PupilProgressEntry) == 2


def test_the_school_view_lists_each_placements_visits_overdue_first(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=2)  # due Thu 18 Sep
    bea = qa_placement(ids, first_name="Bea", start=D(2025, 9, 4), qa_every_weeks=8)  # due Thu 30 Oct
    with school_time("2025-09-10 12:00"):
        visit(ids, provider_of(ids, bea), D(2025, 9, 10))  # Bea's provider: next due 8 weeks on, Wed 5 Nov
    with school_time("2025-09-22 09:00"):
        head = signed_in(app, ids, "a.headteacher")
        page = head.get("/alder/").get_data(as_text=True)
    card = page[page.index('id="qa-heading"'):]
    lines = rows(card)[1:]
    assert "1 overdue." in card
    assert "Ash Testcase" in lines[0] and "None yet" in lines[0] and "18 Sep 2025" in lines[0] and "Overdue" in lines[0]
    assert "Bea Testcase" in lines[1] and "10 Sep 2025" in lines[1] and "5 Nov 2025" in lines[1]
    assert "Overdue" not in lines[1]
    assert "No follow-up action is overdue." in card
    staff = signed_in(app, ids, "a.staff")
    assert 'id="qa-heading"' not in staff.get("/alder/").get_data(as_text=True)


def test_the_trust_sees_each_schools_overdue_visits(app, world):
    ids = Ids(world)
    names = {key: school.name for key, school in world.schools.items()}
    enter_year(ids.a)
    enter_year(ids.b)
    qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=2)
    qa_placement(ids, first_name="Bea", start=D(2025, 9, 4), qa_every_weeks=2)
    qa_placement(ids, "b", first_name="Cal", start=D(2025, 9, 4), qa_every_weeks=8)
    with school_time("2025-09-08 06:50"):
        qa_visits_due()
    with school_time("2025-09-22 09:00"):
        lead = signed_in(app, ids, "trust.trust_safeguarding_lead")
        page = lead.get("/trust/monitoring").get_data(as_text=True)
    assert "Overdue QA visits" in page
    by_school = {re.search(r'<th scope="row">(.*?)</th>', r).group(1): r for r in rows(page)[1:]}
    assert re.search(r"<td>0</td>\s*<td>2</td>", by_school[names["a"]])
    assert re.search(r"<td>0</td>\s*<td>0</td>", by_school[names["b"]])


def test_the_qa_page_reads_the_same_queries_whatever_its_records(app, world):
    """The QA page (issue 18): its records name their provider and pupil (a placement since ended included) and
    its open actions their owner, all read with them, not a query each."""
    from app.extensions import db
    from app.models import Placement, PlacementStatus
    from app.services.qa import ActionInput
    from tenants import school_scope
    from tests.reviews.test_review_views import _queries

    ids = Ids(world)
    enter_year(ids.a)
    owners = ["a.ap_leader", "a.dsl", "a.headteacher", "a.dsl"]

    def add_records(numbers):
        for n in numbers:
            made = qa_placement(ids, first_name=f"Pupil{n}", start=D(2025, 9, 4))
            with school_time("2025-09-10 12:00"):
                visit(ids, provider_of(ids, made), D(2025, 9, 10), placement_id=made.placement_id, actions=[
                    ActionInput(f"Action {n}", ids.users[owners[n]], D(2025, 10, 1))])
            with school_scope(ids.a):
                db.session.get(Placement, made.placement_id).status = PlacementStatus.ENDED
                db.session.commit()

    def measure():
        with school_time("2025-09-22 09:00"):
            page = []
            return _queries(lambda: page.append(head.get("/alder/qa").get_data(as_text=True))), page[0]

    with school_time("2025-09-22 09:00"):
        head = signed_in(app, ids, "a.headteacher")
    add_records([0])
    few, page = measure()
    add_records([1, 2, 3])
    many, page = measure()
    assert many == few
    assert all(f"Pupil{n} Testcase" in page and f"Action {n}" in page for n in range(4))
