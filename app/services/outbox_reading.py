"""The outbox as the designated trustee reads it through the API (issue 17 item 1): who each notification went
to, about what kind of record, its status and attempts, never what it said (issue 13 item 4: the admin hides the
bodies too). Read in the trustee's recorded trust scope: notifications belong to schools.
"""
from __future__ import annotations

from app.models import Audience, Notification, NotificationStatus
from app.services.keyset import record_or_not_found, rows_after


def notifications_page(after_id: int = 0, limit: int = 50, status: NotificationStatus | None = None,
                       audience: Audience | None = None, school_id: int | None = None) -> list[Notification]:
    """Notifications by id after `after_id` (a stable order to page through), filtered as asked."""
    return rows_after(Notification, after_id, limit, status=status, audience=audience, school_id=school_id)


def access_notification(notification_id: int) -> Notification:
    return record_or_not_found(Notification, notification_id)
