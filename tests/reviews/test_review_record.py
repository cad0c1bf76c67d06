"""Recording a review (8.2): every field the policy lists, the attendance since the last review from the
attendance records, the review completing its task, field-named errors with nothing half-saved, and (8.8) the
key information queued only for a pupil with an EHCP, a social worker or who is looked after."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from app.clock import now
from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    LAContact,
    LAContactKind,
    Placement,
    PlacementReview,
    SessionOfDay,
    TaskStatus,
)
from jobs.review_sweeps import half_termly_reviews
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.jobs.schedule_fixtures import Ids
from tests.reviews.conftest import D, active_placement, enter_year, outbox, review_tasks

FULL = {
    "held_on": "2026-03-12", "pupil_attended": "y", "parents_attended": "y", "provider_attended": "y",
    "school_attended": "y", "attendees_note": "Robin, Mum, Ms Tutor (provider), the AP leader",
    "attendance_note": "Two missed Mondays: transport", "progress_against_aims": "Maths up a grade",
    "pupil_views": "Likes the workshop, wants more maths", "parents_views": "Pleased; worried about transport",
    "changes_agreed": "Taxi on Mondays", "reintegration_steps": "Two mornings a week back at school from April",
    "next_review_on": "2026-05-07", "risk_assessment_reviewed": "y",
}


def signed_in(app, ids, who):
    client = fresh_client(app)
    assert sign_in(client, ids.emails[who]).status_code == 302
    return client


def record(client, placement_id, data):
    url = f"/alder/placements/{placement_id}/reviews/new"
    return post_form(client, url, data, form_url=url)


def add_sessions(ids, made, codes_by_day):
    with school_scope(ids.a):
        provider_id = db.session.get(Placement, made.placement_id).provider_id
        for day, codes in codes_by_day.items():
            for session, code in zip((SessionOfDay.AM, SessionOfDay.PM), codes, strict=True):
                db.session.add(AttendanceSession(
                    placement_id=made.placement_id, pupil_id=made.pupil_id,
                    provider_id=provider_id,
                    day=day, session=session, starts_at=dt.time(9) if session == SessionOfDay.AM else dt.time(13),
                    ends_at=dt.time(12) if session == SessionOfDay.AM else dt.time(15), cutoff_at=now(),
                    register_code=code))
        db.session.commit()


def reviews_in(ids):
    with school_scope(ids.a):
        db.session.expire_all()
        return list(db.session.scalars(select(PlacementReview).order_by(PlacementReview.id)))


def test_a_review_records_everything_and_completes_its_task(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, first_name="Robin", start=D(2025, 9, 4))
    # Before the last review (so not counted), then since it: 6 of 8 sessions attended (B), 1 O, 1 C2 counted.
    add_sessions(ids, made, {D(2026, 2, 2): ("O", "O"), D(2026, 3, 2): ("B", "B"), D(2026, 3, 3): ("B", "O"),
                             D(2026, 3, 4): ("B", "B"), D(2026, 3, 5): ("B", "I"), D(2026, 3, 13): ("O", "O")})
    with school_scope(ids.a):
        db.session.add(PlacementReview(placement_id=made.placement_id, pupil_id=made.pupil_id,
                                       held_on=D(2026, 2, 5), progress_against_aims="x", pupil_views="x",
                                       parents_views="x", recorded_by_id=ids.users["a.ap_leader"]))
        db.session.commit()
    with school_time("2026-02-24 06:45"):
        half_termly_reviews()
    [task] = review_tasks(ids.a)
    with school_time("2026-03-12 15:00"):
        client = signed_in(app, ids, "a.ap_leader")
        form = client.get(f"/alder/placements/{made.placement_id}/reviews/new").get_data(as_text=True)
        assert "Back to maths lessons" in form and "the last review (5 February 2026)" in form
        response = record(client, made.placement_id, FULL)
    assert response.status_code == 302
    review = reviews_in(ids)[-1]
    assert response.headers["Location"].endswith(f"/alder/reviews/{review.id}")
    assert (review.held_on, review.pupil_attended, review.parents_attended, review.provider_attended,
            review.local_authority_attended, review.risk_assessment_reviewed) == (
        D(2026, 3, 12), True, True, True, False, True)
    assert (review.pupil_views, review.parents_views, review.reintegration_steps, review.next_review_on) == (
        FULL["pupil_views"], FULL["parents_views"], FULL["reintegration_steps"], D(2026, 5, 7))
    assert review.attendance_from == D(2026, 2, 6)
    assert review.attendance_percentage == Decimal("75.0")  # 6 of 8: B x6 attended; O and I absent
    assert review.dedupe_key == task.dedupe_key and review.information_shared_at is None
    assert review_tasks(ids.a)[0].status == TaskStatus.DONE
    assert review_tasks(ids.a)[0].completed_by_id == ids.users["a.ap_leader"]
    with school_time("2026-03-12 15:05"):
        page = client.get(f"/alder/reviews/{review.id}").get_data(as_text=True)
        assert "75.0%" in page and FULL["parents_views"] in page
        placement_page = client.get(f"/alder/placements/{made.placement_id}").get_data(as_text=True)
        assert f"/alder/reviews/{review.id}" in placement_page and "Record a review" in placement_page
    # The sweep, run again, makes nothing for the obligation the review met.
    with school_time("2026-03-13 06:45"):
        half_termly_reviews()
    assert len(review_tasks(ids.a)) == 1
    assert outbox("review_information") == []


def test_a_review_before_the_sweep_meets_the_half_terms_obligation(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, start=D(2025, 9, 4))
    with school_time("2025-09-04 12:00"):  # a training day: the sweep has not made the task
        client = signed_in(app, ids, "a.ap_leader")
        assert record(client, made.placement_id, {**FULL, "held_on": "2025-09-04", "next_review_on": ""}
                      ).status_code == 302
    with school_time("2025-09-05 06:45"):
        half_termly_reviews()
    assert review_tasks(ids.a) == []
    assert reviews_in(ids)[0].dedupe_key == f"review:{made.placement_id}:2025-autumn-1:1"


def test_bad_input_names_the_field_and_saves_nothing(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, start=D(2025, 9, 4))
    with school_time("2026-03-12 15:00"):
        half_termly_reviews()
        client = signed_in(app, ids, "a.ap_leader")
        cases = [
            ({"held_on": ""}, "Enter the date the review was held."),
            ({"held_on": "31/02/2026"}, "Enter a real date"),
            ({"held_on": "2026-03-13"}, "cannot be in the future"),
            ({"held_on": "2025-09-01"}, "before the placement started"),
            ({"pupil_views": "   "}, "Enter the pupil&#39;s views."),
            ({"parents_views": ""}, "Enter the parents&#39; or carers&#39; views"),
            ({"progress_against_aims": ""}, "Enter the progress against the placement&#39;s aims."),
            ({"next_review_on": "2026-03-01"}, "The next review date must be after this review."),
        ]
        for change, message in cases:
            response = record(client, made.placement_id, {**FULL, **change})
            assert response.status_code == 200, change
            assert message in response.get_data(as_text=True), change
    assert reviews_in(ids) == []
    assert review_tasks(ids.a)[0].status == TaskStatus.OPEN


def test_who_may_record_and_see_reviews(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, start=D(2025, 9, 4))
    with school_time("2026-03-12 15:00"):
        assert signed_in(app, ids, "a.dsl").get(f"/alder/placements/{made.placement_id}/reviews/new").status_code == 403
        assert signed_in(app, ids, "a.dsl").get("/alder/reviews").status_code == 200
        assert signed_in(app, ids, "a.attendance_officer").get("/alder/reviews").status_code == 403
        assert signed_in(app, ids, "b.ap_leader").get(f"/birch/placements/{made.placement_id}/reviews/new"
                                                      ).status_code == 404


def _share(app, ids, made, **data):
    with school_time("2026-03-12 15:00"):
        client = signed_in(app, ids, "a.ap_leader")
        return record(client, made.placement_id, {**FULL, **data})


def test_information_is_shared_only_for_the_right_pupils(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    plain = active_placement(ids, first_name="Ash")
    ehcp = active_placement(ids, first_name="Bea", ehcp=True)
    social = active_placement(ids, first_name="Cal", social_worker=True)
    cared_for = active_placement(ids, first_name="Dee", looked_after=True)
    for made in (plain, ehcp, social, cared_for):
        assert _share(app, ids, made).status_code == 302
    sent = {(n.about_id, n.audience, n.recipient_email) for n in outbox("review_information")}
    assert sent == {
        (ehcp.pupil_id, Audience.LOCAL_AUTHORITY, "send@la.example.org"),
        (social.pupil_id, Audience.SOCIAL_WORKER, "sw.example@children.example.org"),
        (cared_for.pupil_id, Audience.VIRTUAL_SCHOOL, "vsh@la.example.org"),
        (cared_for.pupil_id, Audience.SOCIAL_WORKER, "sw.example@children.example.org"),
    }
    shared = {r.pupil_id: r.information_shared_at is not None for r in reviews_in(ids)}
    assert shared == {plain.pupil_id: False, ehcp.pupil_id: True, social.pupil_id: True, cared_for.pupil_id: True}
    [notice] = [n for n in outbox("review_information") if n.audience == Audience.LOCAL_AUTHORITY]
    assert "Pleased; worried about transport" in notice.body_text and "has an EHCP" in notice.body_text
    with school_time("2026-03-12 15:10"):
        notices_page = signed_in(app, ids, "a.ap_leader").get("/alder/notices").get_data(as_text=True)
    assert "Review of BT&#39;s placement" in notices_page or "Review of BT's placement" in notices_page


def test_a_missing_recipient_refuses_the_review_and_saves_nothing(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    no_email = active_placement(ids, first_name="Eve", social_worker=True, social_worker_email=None)
    response = _share(app, ids, no_email)
    assert response.status_code == 200
    assert "social worker has no email address" in response.get_data(as_text=True)
    with system_scope("test: remove the LA's SEND contact"):
        for contact in db.session.scalars(select(LAContact).where(LAContact.kind == LAContactKind.SEND)):
            contact.email = None
        db.session.commit()
    ehcp = active_placement(ids, first_name="Fay", ehcp=True)
    response = _share(app, ids, ehcp)
    assert "cannot send this notice" in response.get_data(as_text=True)
    assert reviews_in(ids) == [] and outbox("review_information") == []
    with school_scope(ids.a):
        assert db.session.scalar(select(func.count(PlacementReview.id))) == 0


def test_the_form_says_who_will_receive_the_information(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    cared_for = active_placement(ids, first_name="Gus", looked_after=True, ehcp=True)
    plain = active_placement(ids, first_name="Hana")
    with school_time("2026-03-12 15:00"):
        client = signed_in(app, ids, "a.ap_leader")
        page = client.get(f"/alder/placements/{cared_for.placement_id}/reviews/new").get_data(as_text=True)
        assert ("queues its key information to the LA SEND team, the Virtual School Head, the pupil&#39;s social "
                "worker.") in page
        page = client.get(f"/alder/placements/{plain.placement_id}/reviews/new").get_data(as_text=True)
        assert "queues its key information" not in page


def test_a_review_meets_the_earliest_of_several_obligations(app, world):
    """An agreement reviewing every 2 school weeks: Autumn 1 owes three reviews, all tasked on its first school
    day; each review held completes the earliest open one, and the school view then shows the next."""
    from app.services.reviews import placement_monitoring_lines

    ids = Ids(world)
    enter_year(ids.a)
    made = active_placement(ids, start=D(2025, 9, 4), every_weeks=2)
    with school_time("2025-09-05 06:45"):
        half_termly_reviews()
    assert [(t.status, t.dedupe_key.rsplit(":", 1)[1]) for t in review_tasks(ids.a)] == [
        (TaskStatus.OPEN, "1"), (TaskStatus.OPEN, "2"), (TaskStatus.OPEN, "3")]
    with school_time("2025-09-18 15:00"):
        assert record(signed_in(app, ids, "a.ap_leader"), made.placement_id,
                      {**FULL, "held_on": "2025-09-18", "next_review_on": ""}).status_code == 302
        with school_scope(ids.a):
            [line] = placement_monitoring_lines()
            assert (line.last_review_on, line.next_review_due_on, line.overdue) == (
                D(2025, 9, 18), D(2025, 10, 3), False)
    assert [t.status for t in review_tasks(ids.a)] == [TaskStatus.DONE, TaskStatus.OPEN, TaskStatus.OPEN]
    assert reviews_in(ids)[0].dedupe_key == f"review:{made.placement_id}:2025-autumn-1:1"
