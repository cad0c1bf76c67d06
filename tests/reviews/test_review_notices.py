"""A review's 8.8 notices (issue 18): queued about the review's pupil, and found by what they are about
(ix_notifications_about) then by key, never by a LIKE on the key over every notification of the school."""
from __future__ import annotations

from sqlalchemy import event, select

from app.extensions import db
from app.models import Audience, Notification, PlacementReview
from app.services import reviews
from tenants import school_scope
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import Ids
from tests.reviews.conftest import active_placement, enter_year, outbox
from tests.reviews.test_review_record import FULL, record, signed_in


def _review_of(made) -> PlacementReview:
    return db.session.scalar(select(PlacementReview).where(PlacementReview.placement_id == made.placement_id))


def test_a_reviews_notices_are_about_its_pupil_and_found_by_it(app, world):
    ids = Ids(world)
    enter_year(ids.a)
    cared_for = active_placement(ids, first_name="Dee", looked_after=True)
    social = active_placement(ids, first_name="Cal", social_worker=True)
    with school_time("2026-03-12 15:00"):
        client = signed_in(app, ids, "a.ap_leader")
        for made in (cared_for, social):
            assert record(client, made.placement_id, FULL).status_code == 302
    shared = outbox("review_information")
    assert {(n.about_type, n.about_id) for n in shared} == {("pupil", cared_for.pupil_id),
                                                             ("pupil", social.pupil_id)}
    statements = []
    with school_scope(ids.a):
        review = _review_of(cared_for)
        # A notice with the same key prefix about someone else is not this review's: the pupil narrows first.
        stray = next(n for n in shared if n.about_id == social.pupil_id)
        db.session.add(Notification(
            dedupe_key=reviews.shared_dedupe_key(review, "stray"), audience=Audience.SOCIAL_WORKER,
            recipient_email="other@example.org", template="review_information", context={}, subject="s",
            body_text="-", message_id="<stray@example.org>", about_type="pupil", about_id=stray.about_id))
        db.session.commit()
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            found = reviews.notices_for(review)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert [(n.audience, n.about_id) for n in found] == [(Audience.VIRTUAL_SCHOOL, cared_for.pupil_id),
                                                              (Audience.SOCIAL_WORKER, cared_for.pupil_id)]
        review_id = review.id
    [query] = [s for s in statements if "FROM notifications" in s]
    assert "about_type" in query and "about_id" in query
    with school_time("2026-03-12 15:10"):
        page = signed_in(app, ids, "a.ap_leader").get(f"/alder/reviews/{review_id}").get_data(as_text=True)
    assert "Who was sent the key information" in page and "other@example.org" not in page
