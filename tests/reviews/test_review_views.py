"""The review views (8.3): the AP leader's reviews due this half-term (overdue first), the school view's last and
next review of every active placement, and the trust's count of each school's overdue reviews."""
from __future__ import annotations

import re

from app.extensions import db
from app.models import AuditEvent
from app.services.reviews import placement_monitoring_lines
from jobs.review_sweeps import half_termly_reviews
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids
from tests.reviews.conftest import D, active_placement, enter_year
from tests.reviews.test_review_record import FULL, record, signed_in


def two_placements(ids):
    enter_year(ids.a)
    enter_year(ids.b)
    ash = active_placement(ids, first_name="Ash", start=D(2025, 9, 4))  # Spring 2's review due Fri 20 Mar
    bea = active_placement(ids, first_name="Bea", start=D(2026, 3, 23))  # the last week: due Fri 27 Mar
    active_placement(ids, "b", first_name="Cal", start=D(2025, 9, 4))
    for day in ("2026-02-24", "2026-03-23"):
        with school_time(f"{day} 06:45"):
            half_termly_reviews()
    return ash, bea


def rows(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)]


def test_reviews_due_this_half_term_overdue_first_then_the_headteacher_sees_nothing_overdue(app, world):
    ids = Ids(world)
    ash, bea = two_placements(ids)
    with school_time("2026-03-23 09:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        page = leader.get("/alder/reviews").get_data(as_text=True)
        body = rows(page)[1:]
        assert "Ash Testcase" in body[0] and "Overdue" in body[0] and "Fri 20 March 2026" in body[0]
        assert "Bea Testcase" in body[1] and "Overdue" not in body[1] and "Fri 27 March 2026" in body[1]
        assert "Cal Testcase" not in page  # another school's placement

        head = signed_in(app, ids, "a.headteacher")
        dashboard = head.get("/alder/").get_data(as_text=True)
        assert "Reviews of active placements" in dashboard and "1 overdue." in dashboard
        assert dashboard.index("Ash Testcase") < dashboard.index("Bea Testcase")

        assert record(leader, ash.placement_id, {**FULL, "held_on": "2026-03-23"}).status_code == 302
        dashboard = head.get("/alder/").get_data(as_text=True)
        assert "Nothing is overdue." in dashboard and "23 Mar 2026" in dashboard
        assert "Nothing is overdue." in leader.get("/alder/reviews").get_data(as_text=True)


def test_monitoring_lines_give_the_last_and_next_review(app, world):
    ids = Ids(world)
    ash, bea = two_placements(ids)
    with school_time("2026-03-23 09:00"), school_scope(ids.a):
        lines = placement_monitoring_lines()
        assert [(m.placement.id, m.last_review_on, m.next_review_due_on, m.overdue) for m in lines] == [
            (ash.placement_id, None, D(2026, 3, 20), True), (bea.placement_id, None, D(2026, 3, 27), False)]
    with school_time("2026-03-24 09:00"):
        assert record(signed_in(app, ids, "a.ap_leader"), ash.placement_id,
                      {**FULL, "held_on": "2026-03-24"}).status_code == 302
        with school_scope(ids.a):
            lines = placement_monitoring_lines()
            # Next: Summer 1's review (due Thu 14 May: Fri 15 May is a training day)
            assert [(m.placement.id, m.last_review_on, m.next_review_due_on, m.overdue) for m in lines] == [
                (bea.placement_id, None, D(2026, 3, 27), False), (ash.placement_id, D(2026, 3, 24), D(2026, 5, 14),
                                                                  False)]


def test_the_trust_sees_each_schools_overdue_reviews(app, world):
    ids = Ids(world)
    ash, _ = two_placements(ids)
    with school_time("2026-03-23 09:00"):
        lead = signed_in(app, ids, "trust.trust_safeguarding_lead")
        assert "/trust/monitoring" in lead.get("/trust/").get_data(as_text=True)
        page = lead.get("/trust/monitoring").get_data(as_text=True)
        by_school = {r.split("</th>")[0].split(">")[-1]: r for r in rows(page)[1:]}
        assert "<td>1</td>" in by_school["Alder School"]  # Ash's review, due Fri 20 Mar
        assert "<td>1</td>" in by_school["Birch School"]  # Cal's
        assert "<td>0</td>" in by_school["Cedar Infant School"]
        assert signed_in(app, ids, "a.headteacher").get("/trust/monitoring").status_code == 403
        record(signed_in(app, ids, "a.ap_leader"), ash.placement_id, {**FULL, "held_on": "2026-03-23"})
        page = lead.get("/trust/monitoring").get_data(as_text=True)
        by_school = {r.split("</th>")[0].split(">")[-1]: r for r in rows(page)[1:]}
        assert "<td>0</td>" in by_school["Alder School"]
    with system_scope("test: read the audit trail"):
        assert db.session.query(AuditEvent).filter(AuditEvent.action == "trust_read", AuditEvent.detail.contains("trust monitoring")).count() >= 1


def _queries(fn) -> int:
    from sqlalchemy import event

    count = [0]

    def counter(*_args, **_kwargs):
        count[0] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count[0]


def test_the_school_views_query_count_does_not_grow_with_placements(app, world):
    from app.services.calendar import calendar_for_school
    from app.services.reviews import due_reviews

    ids = Ids(world)
    two_placements(ids)

    def measure():
        with school_time("2026-03-23 09:00"):
            sweep = _queries(half_termly_reviews)  # a repeated sweep: nothing to make
            with school_scope(ids.a):
                calendar = calendar_for_school()
                db.session.expire_all()
                return (_queries(lambda: placement_monitoring_lines(calendar)),
                        _queries(lambda: due_reviews(calendar)), sweep)

    few = measure()
    for n in range(8):
        active_placement(ids, first_name=f"Extra{n}", start=D(2025, 9, 4))
    with school_time("2026-03-23 06:45"):
        half_termly_reviews()  # Spring 2's tasks for the new placements
    assert measure() == few


def test_open_review_tasks_of_placements_no_longer_active_are_listed_in_the_same_queries(app, world):
    """A review still owed by a placement that has since ended stays on the list (with its pupil and provider);
    those placements are read together, not one query (and two lazy loads) each (issue 18)."""
    from app.models import Placement, PlacementStatus
    from app.services.reviews import due_reviews

    ids = Ids(world)
    ash, _bea = two_placements(ids)
    extras = [active_placement(ids, first_name=f"Extra{n}", start=D(2025, 9, 4)) for n in range(3)]
    with school_time("2026-03-23 06:45"):
        half_termly_reviews()  # Spring 2's tasks for the extra placements

    def end(*made):
        with school_scope(ids.a):
            for m in made:
                db.session.get(Placement, m.placement_id).status = PlacementStatus.ENDED
            db.session.commit()

    def listed():
        lines = []
        with school_time("2026-03-23 09:00"), school_scope(ids.a):
            db.session.expire_all()
            count = _queries(lambda: lines.extend((d.placement.pupil.display_name, d.placement.provider.name,
                                                   d.overdue) for d in due_reviews()))
        return count, lines

    end(ash)
    few, lines = listed()
    assert ("Ash Testcase", "Ash's provider", True) in lines
    end(*extras)
    many, lines = listed()
    assert many == few and {f"Extra{n} Testcase" for n in range(3)} <= {name for name, _, _ in lines}
