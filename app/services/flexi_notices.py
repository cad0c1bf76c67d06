"""Reporting flexi-schooling agreements to the local authority (policy 10.7: "The school will follow Local
Authority procedures with regard to reporting flexi-schooling agreements"): a notice through the outbox when an
agreement is made (its start) and when it is withdrawn (its end), once each (the dedupe key), to the LA's
AP notifications contact, as placements tell the LA (7.12, app.services.placements.notify_la_of_placement).
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import FlexiAgreement, LAContactKind, LocalAuthority, Notification, School
from app.policy.flexi_schooling import describe_pattern
from app.services.notifications import MissingLAContact, notify_local_authority

__all__ = ["MissingLAContact", "notice_local_authority", "notify_la_of_agreement", "notices_for"]

EVENTS = ("start", "end")


def notice_local_authority(pupil, school: School) -> LocalAuthority:
    """10.7: whose procedure the school follows: the pupil's responsible LA when one is recorded (a pupil placed
    in the county by another authority), else the school's own."""
    if pupil.responsible_local_authority_id is not None:
        la = db.session.get(LocalAuthority, pupil.responsible_local_authority_id)
        if la is not None:
            return la
    return school.local_authority


def dedupe_key(agreement: FlexiAgreement, event: str) -> str:
    return f"flexi-agreement:{agreement.id}:{event}:la"


def _context(agreement: FlexiAgreement, school: School, event: str) -> dict:
    pupil = agreement.pupil
    return {
        "event": event, "school_name": school.name, "school_urn": school.urn,
        "pupil_name": f"{pupil.first_name} {pupil.last_name}", "pupil_upn": pupil.upn,
        "pupil_date_of_birth": f"{pupil.date_of_birth:%-d %B %Y}", "pupil_year_group": pupil.year_group,
        "start_date": f"{agreement.start_date:%A %-d %B %Y}",
        "end_date": f"{agreement.end_date:%A %-d %B %Y}" if agreement.end_date else None,
        "withdrawn_by": agreement.withdrawn_by.value if agreement.withdrawn_by else None,
        "pattern": describe_pattern(agreement.home_sessions),
        "welfare_responsible_at_home": agreement.welfare_responsible_at_home,
    }


def notify_la_of_agreement(agreement: FlexiAgreement, event: str) -> Notification:
    """Queue the 10.7 notice of an agreement's start or end in the caller's transaction, once (dedupe key).
    Raises MissingLAContact when the LA has no AP notifications contact with an email address."""
    if event not in EVENTS:
        raise ValueError(f"{event!r} is not one of {EVENTS}")
    if agreement.id is None:
        db.session.flush()
    school = db.session.get(School, agreement.school_id)
    label = f"Flexi-schooling of {agreement.pupil.initials}: {'agreed' if event == 'start' else 'ending'}"
    return notify_local_authority(
        school, LAContactKind.AP_NOTIFICATIONS, template="flexi_schooling_notice",
        context=_context(agreement, school, event), dedupe_key=dedupe_key(agreement, event), about_type="pupil",
        about_id=agreement.pupil_id, about_label=label[:200],
        local_authority=notice_local_authority(agreement.pupil, school))


def notices_for(agreement: FlexiAgreement) -> list[Notification]:
    """Found by what they are about (the pupil: ix_notifications_about), then by key among those few."""
    prefix = f"flexi-agreement:{agreement.id}:"
    return list(db.session.scalars(select(Notification).where(
        Notification.about_type == "pupil", Notification.about_id == agreement.pupil_id,
        Notification.dedupe_key.startswith(prefix)).order_by(Notification.id)))
