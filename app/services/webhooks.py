"""Webhook events for the trust's other systems (issue 17 item 5): recorded where the change happens.

Each service that makes one of these happen calls one function here, once, in its own transaction: a placement
started or ended (app.services.placements.lifecycle), a pupil not located by a welfare check
(app.services.welfare_records), a provider suspended (app.services.providers.suspension), a notice queued to
the LA or the Virtual School (app.services.notifications.notify_local_authority). `emit` writes the event and one
`WebhookDelivery` per active subscription that wants it, in the caller's transaction (the caller commits):
nothing is sent inside a request (design invariant 5). Once committed, jobs.webhook_deliveries enqueues the
deliveries (its session listener), and its dispatcher finds any that were not.

What a payload carries, and no more (docs/data-protection.md): the event's id and type, when it happened, the
school (id and URN) and the records' ids. No names, no initials, no notes: a receiver that needs more asks the
API, with a token whose roles allow it.
"""
from __future__ import annotations

import contextlib
import uuid

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    Notification,
    Placement,
    Provider,
    School,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
    WelfareCheck,
)
from tenants import system_scope

_PENDING = "aphub_webhook_events_pending"  # session.info: events added in this transaction, by dedupe key


def subscribers(event_type: WebhookEventType) -> list[WebhookSubscription]:
    """The active subscriptions that want this kind of event (a handful of rows: read whole, filtered here)."""
    with db.session.no_autoflush:
        rows = db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True))
                                  .order_by(WebhookSubscription.id))
        return [s for s in rows if s.wants(event_type)]


def emit(event_type: WebhookEventType, key: str, data: dict, school_id: int | None) -> WebhookEvent | None:
    """Record an event and its deliveries in the caller's transaction; None when nobody subscribes to it.
    `key` names the happening within its type ("41" for placement 41): emitted twice, it is recorded once, so
    each subscriber gets one delivery per event id. An event of no school is written in a system scope (it is
    trust-level: in a school's scope it would be stamped with that school, and row-level security refuses it)."""
    event_type = WebhookEventType(event_type)
    wanted_by = subscribers(event_type)
    if not wanted_by:
        return None
    dedupe_key = f"{event_type.value}:{key}"[:200]
    pending = db.session().info.setdefault(_PENDING, {})
    if dedupe_key in pending:
        return pending[dedupe_key]
    scope = (system_scope("webhooks: an event of the whole trust, which belongs to no school")
             if school_id is None else contextlib.nullcontext())
    with scope:
        with db.session.no_autoflush:
            existing = db.session.scalar(select(WebhookEvent).where(WebhookEvent.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
        event = WebhookEvent(school_id=school_id, event_type=event_type, dedupe_key=dedupe_key,
                             occurred_at=clock.now(), payload={})
        event.event_id = f"evt_{uuid.uuid4().hex}"
        event.payload = _payload(event, school_id, data)
        db.session.add(event)
        db.session.add_all(WebhookDelivery(subscription_id=s.id, event=event, status=WebhookDeliveryStatus.PENDING,
                                           attempts=0) for s in wanted_by)
        if school_id is None:
            db.session.flush()  # inside the system scope: the row is written as the trust's
    pending[dedupe_key] = event
    return event


def _payload(event: WebhookEvent, school_id: int | None, data: dict) -> dict:
    school = db.session.get(School, school_id) if school_id is not None else None
    return {
        "id": event.event_id,
        "type": event.event_type.value,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "school": {"id": school.id, "urn": school.urn} if school is not None else None,
        "data": data,
    }


def forget_pending(session, transaction) -> None:
    if transaction.parent is None:  # committed events are found by the query; rolled-back ones are gone
        session.info.pop(_PENDING, None)


# --- the events, one function each, called from the one place each happens ----------------------------------


def placement_started(placement: Placement) -> WebhookEvent | None:
    return emit(WebhookEventType.PLACEMENT_STARTED, str(placement.id), {
        "placement_id": placement.id, "pupil_id": placement.pupil_id, "provider_id": placement.provider_id,
        "start_date": placement.start_date.isoformat(), "off_site_direction": placement.is_off_site_direction,
    }, placement.school_id)


def placement_ended(placement: Placement) -> WebhookEvent | None:
    return emit(WebhookEventType.PLACEMENT_ENDED, str(placement.id), {
        "placement_id": placement.id, "pupil_id": placement.pupil_id, "provider_id": placement.provider_id,
        "ended_on": placement.ended_on.isoformat() if placement.ended_on else None,
    }, placement.school_id)


def welfare_check_not_located(check: WelfareCheck) -> WebhookEvent | None:
    """KCSIE: the missing-child procedure has started. Ids only: the pupil's details stay behind the API."""
    return emit(WebhookEventType.WELFARE_CHECK_NOT_LOCATED, str(check.id), {
        "welfare_check_id": check.id, "pupil_id": check.pupil_id,
        "attendance_session_id": check.attendance_session_id,
        "checked_at": check.checked_at.isoformat().replace("+00:00", "Z") if check.checked_at else None,
    }, check.school_id)


def provider_suspended(provider: Provider, schools_told: list[int]) -> WebhookEvent | None:
    """A provider of the shared register suspended (trust-level: no school). Not the reason: free text."""
    stamp = provider.suspended_at.strftime("%Y%m%dT%H%M%S")
    return emit(WebhookEventType.PROVIDER_SUSPENDED, f"{provider.id}:{stamp}", {
        "provider_id": provider.id, "provider_name": provider.name,
        "suspended_at": provider.suspended_at.isoformat().replace("+00:00", "Z"),
        "schools_with_active_placements": sorted(schools_told),
    }, None)


def la_notice_queued(notification: Notification, school: School, local_authority_id: int) -> WebhookEvent | None:
    """A notice to an LA or the Virtual School went into the outbox (7.12, 7.5, 7.6, 8.8, 9.6, 10.7): what kind,
    to whom, about which record; never what it says."""
    return emit(WebhookEventType.LA_NOTICE_QUEUED, notification.dedupe_key, {
        "notice": notification.template, "audience": notification.audience.value,
        "local_authority_id": local_authority_id, "about_type": notification.about_type,
        "about_id": notification.about_id,
    }, school.id)
