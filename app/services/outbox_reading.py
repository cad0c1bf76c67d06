"""The outbox as the designated trustee reads it through the API (issue 17 item 1): who each notification went
to, about what kind of record, its status and attempts, never what it said (issue 13 item 4: the admin hides the
bodies too). Read in the trustee's recorded trust scope: notifications belong to schools.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Audience, Notification, NotificationStatus
from tenants.access import RecordNotFound


def notifications_page(after_id: int = 0, limit: int = 50, status: NotificationStatus | None = None,
                       audience: Audience | None = None, school_id: int | None = None) -> list[Notification]:
    """Notifications by id after `after_id` (a stable order to page through), filtered as asked."""
    query = select(Notification).where(Notification.id > after_id).order_by(Notification.id).limit(limit)
    if status is not None:
        query = query.where(Notification.status == status)
    if audience is not None:
        query = query.where(Notification.audience == audience)
    if school_id is not None:
        query = query.where(Notification.school_id == school_id)
    return list(db.session.scalars(query))


def access_notification(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        raise RecordNotFound("notification")
    return notification
