"""Information sharing (8.8): a review's key information to the LA SEND contact, the social worker and the
Virtual School Head, through the outbox."""
from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    Audience,
    LAContactKind,
    Notification,
    PlacementReview,
    School,
)
from app.policy.la_notices import LA_SEND, SOCIAL_WORKER, VIRTUAL_SCHOOL_HEAD, information_sharing_recipients
from app.services.notifications import MissingLAContact, notify_local_authority, queue_notification


def shared_dedupe_key(review: PlacementReview, party: str) -> str:
    return f"review-shared:{review.id}:{party}"


def _review_context(review: PlacementReview, school: School, because: str) -> dict:
    placement, pupil = review.placement, review.pupil
    attended = [label for flag, label in (
        (review.pupil_attended, "the pupil"), (review.parents_attended, "parents or carers"),
        (review.provider_attended, "the provider"), (review.school_attended, "the school"),
        (review.local_authority_attended, "the local authority"),
        (review.virtual_school_attended, "the Virtual School"),
        (review.social_worker_attended, "the social worker")) if flag]
    return {
        "school_name": school.name, "school_urn": school.urn, "because": because,
        "pupil_name": f"{pupil.first_name} {pupil.last_name}", "pupil_upn": pupil.upn,
        "pupil_date_of_birth": f"{pupil.date_of_birth:%-d %B %Y}", "pupil_year_group": pupil.year_group,
        "provider_name": placement.provider.name, "held_on": f"{review.held_on:%A %-d %B %Y}",
        "attended": attended, "attendees_note": review.attendees_note,
        "attendance_from": f"{review.attendance_from:%-d %B %Y}" if review.attendance_from else None,
        "attendance_percentage": (f"{review.attendance_percentage}%" if review.attendance_percentage is not None
                                  else None),
        "attendance_note": review.attendance_note, "progress_against_aims": review.progress_against_aims,
        "pupil_views": review.pupil_views, "parents_views": review.parents_views,
        "changes_agreed": review.changes_agreed, "reintegration_steps": review.reintegration_steps,
        "next_review_on": f"{review.next_review_on:%-d %B %Y}" if review.next_review_on else None,
        "risk_assessment_reviewed": review.risk_assessment_reviewed,
    }


def share_review_information(review: PlacementReview) -> str | None:
    """8.8: queue the review's key information to each recipient app.policy.reviews names for this pupil, in the
    caller's transaction, once per recipient (dedupe key), and mark the review shared. Returns the problem
    (a recipient with no email address) instead, and then the caller rolls back."""

    pupil = review.pupil
    recipients = information_sharing_recipients(pupil)
    if not recipients:
        return None
    school = db.session.get(School, review.school_id)
    label = f"Review of {pupil.initials}'s placement at {review.placement.provider.name}"[:200]
    for recipient in recipients:
        context = _review_context(review, school, recipient.because)
        key = shared_dedupe_key(review, recipient.party)
        if recipient.party in (LA_SEND, VIRTUAL_SCHOOL_HEAD):
            kind = LAContactKind(recipient.la_contact_kind)
            try:
                notify_local_authority(school, kind, template="review_information", context=context,
                                       dedupe_key=key, about_type="pupil", about_id=pupil.id, about_label=label,
                                       pupil=pupil)
            except MissingLAContact as exc:
                return str(exc)
        elif recipient.party == SOCIAL_WORKER:
            if not pupil.social_worker_email:
                return (f"{pupil.display_name}'s social worker has no email address on the pupil's record, so the "
                        f"review cannot be shared with them (8.8). Add it on the pupil's page first.")
            queue_notification(dedupe_key=key, audience=Audience.SOCIAL_WORKER,
                               recipient_email=pupil.social_worker_email, recipient_name=pupil.social_worker_name,
                               template="review_information", context=context, about_type="pupil",
                               about_id=pupil.id, about_label=label, school_id=school.id)
    review.information_shared_at = clock.now()
    return None


def notices_for(review: PlacementReview) -> list[Notification]:
    """The 8.8 notices this review sent. Found by what they are about (the pupil, through the
    ix_notifications_about index), then by key among those few: a LIKE on the key alone cannot use its btree
    under a non-C collation and read every notification of the school (issue 18). Every review-shared notice
    has been queued about its pupil since sharing began (share_review_information), so none is left out."""
    prefix = shared_dedupe_key(review, "")
    return list(db.session.scalars(select(Notification).where(
        Notification.about_type == "pupil", Notification.about_id == review.pupil_id,
        Notification.dedupe_key.startswith(prefix)).order_by(Notification.id)))
