"""Subject access (UK GDPR Articles 12(3) and 15; the ICO's guidance on the right of access): when the answer is
due, and which fields carry other people's personal data, to be reviewed for redaction before release.
No Flask, no database."""
from __future__ import annotations

import calendar
import datetime as dt


def response_due(received_on: dt.date) -> dt.date:
    """One calendar month from the day the request is received: the same date next month, or that month's last
    day when it has no such date (ICO: received 31 August, due 30 September)."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    return dt.date(year, month, min(received_on.day, calendar.monthrange(year, month)[1]))


# Fields holding a third party's personal data (a carer, a social worker, a person met at a review, a recipient):
# disclosed only after review (Data Protection Act 2018, Schedule 2, paragraph 16). Keyed by record kind.
THIRD_PARTY_FIELDS: dict[str, tuple[str, ...]] = {
    "Pupil": ("social_worker_name", "social_worker_email", "social_worker_phone"),
    "Carer": ("name", "email", "phone", "address"),
    "ParentConsultation": ("carer_views",),
    "Involvement": ("person_name", "notes"),
    "PlacementReview": ("attendees_note", "parents_views"),
    "WelfareCheck": ("notes",),
    "Notification": ("recipient_name", "recipient_email"),
    "PartTimeTimetable": ("agreed_by_name",),
    "PartTimeTimetableReview": ("parent_views",),
    "FlexiRequest": ("requested_by", "request_summary", "meeting_note"),
    "FlexiReview": ("parents_views",),
    "Complaint": ("raised_by", "about"),
}


def redaction_flags(record: str, row: dict) -> list[str]:
    """The fields of this row to review before release: third-party fields that hold something."""
    return [field for field in THIRD_PARTY_FIELDS.get(record, ()) if row.get(field) not in (None, "")]
