"""Half-termly review pages (8.2, 8.3): the reviews due this half-term, recording one for a placement, a review,
and the trust's count of each school's overdue reviews. Thin: parse, call app.services.reviews, render."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from app import clock
from app.forms.qa import FollowUpForm
from app.forms.reviews import ReviewForm
from app.permissions import Permission, school_permission, trust_permission
from app.policy.la_notices import information_sharing_recipients
from app.services import qa
from app.services import reviews as service
from app.services.qa import overdue_qa_counts_by_school
from tenants import trust_scope
from tenants.web import school_blueprint

bp = school_blueprint("reviews", __name__)
trust_bp = Blueprint("trust_monitoring", __name__, url_prefix="/trust")


@bp.route("/reviews")
@school_permission(Permission.REVIEWS_VIEW)
def index():
    return render_template("reviews/index.html", due=service.due_reviews(), today=clock.today())


@bp.route("/placements/<int:placement_id>/reviews/new", methods=["GET", "POST"])
@school_permission(Permission.REVIEWS_RECORD)
def new(placement_id: int):
    placement = service.access_placement(placement_id)
    form = ReviewForm()
    if form.validate_on_submit():
        result = service.record_review(placement, form.data_in(), by=current_user)
        if result.ok:
            flash("The review is recorded." + (" Its key information is queued to "
                                               "the pupil's LA, social worker or Virtual School (8.8)."
                                               if result.record.information_shared_at else ""), "success")
            return redirect(url_for("reviews.show", review_id=result.record.id))
        form.add_errors(result.errors)
    elif not form.is_submitted():
        form.held_on.data = clock.today()
    reviews = service.reviews_of(placement)
    return render_template("reviews/new.html", form=form, placement=placement, last=reviews[0] if reviews else None,
                           recipients=information_sharing_recipients(placement.pupil))


@bp.route("/reviews/<int:review_id>")
@school_permission(Permission.REVIEWS_VIEW)
def show(review_id: int):
    review = service.access_review(review_id)
    return _show(review, FollowUpForm(staff=qa.school_staff()))


def _show(review, form):
    may_add = Permission.REVIEWS_RECORD in g.school_permissions
    return render_template("reviews/show.html", review=review, notices=service.notices_for(review),
                           follow_ups=qa.review_follow_ups(review), form=form if may_add else None)


@bp.route("/reviews/<int:review_id>/follow-ups", methods=["POST"])
@school_permission(Permission.REVIEWS_RECORD)
def add_follow_up(review_id: int):
    """Issue 14 item 8: a follow-up action agreed at a review (8.2, 8.6), like one from a QA visit."""
    review = service.access_review(review_id)
    form = FollowUpForm(staff=qa.school_staff())
    if form.validate_on_submit():
        result = qa.add_review_follow_up(review, form.data_in())
        if result.ok:
            flash("The follow-up action is added; its owner has it in their tasks.", "success")
            return redirect(url_for("reviews.show", review_id=review.id))
        form.add_errors(result.errors)
    return _show(review, form)


@trust_bp.route("/monitoring")
@trust_permission(Permission.TRUST_MONITORING_VIEW)
def monitoring():
    """Each school's overdue reviews (and, beside them, other monitoring counts): the trust's oversight of 8.3."""
    with trust_scope(current_user.id, "trust monitoring: each school's overdue reviews and visits"):
        counts = service.overdue_counts_by_school()

        qa_counts = overdue_qa_counts_by_school()
    for school, count in counts.items():  # 8.1: overdue QA visits beside the reviews
        count["qa_visits"] = qa_counts.get(school.id, 0)
    return render_template("trust/monitoring.html", counts=counts)


@bp.app_template_global("placement_reviews")
def _placement_reviews(placement):
    """The placement page lists the placement's reviews (reviews/_for_placement.html)."""
    return service.reviews_of(placement)
