"""The outbox: a change that must notify someone writes a `Notification` row in its own transaction.

Nothing is sent here (design invariant 5). `queue_notification` renders the message now, so the row shows
exactly what was sent, and adds it to the caller's session; the caller commits. Once that transaction has
committed, the delivery job is put on a queue, best effort: with Redis down the request still succeeds and
`jobs.outbox.dispatch_outbox` finds the row a minute later.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from jinja2 import TemplateNotFound
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.clock import local_now
from app.extensions import db
from app.mail import message_id_for
from app.models import (
    Audience,
    Delivery,
    LAContactKind,
    LocalAuthority,
    Notification,
    NotificationPreference,
    NotificationStatus,
    School,
    User,
)
from app.services.outbox_enqueue import _KNOWN_ABSENT, _pending_keys
from app.services.outbox_enqueue import install_outbox_enqueue as install_outbox_enqueue
from app.services.outbox_status import NoticesPage as NoticesPage
from app.services.outbox_status import OutboxCounts as OutboxCounts
from app.services.outbox_status import external_notices as external_notices
from app.services.outbox_status import outbox_counts as outbox_counts
from app.services.outbox_status import retry_failed_notifications as retry_failed_notifications
from app.services.webhooks import la_notice_queued
from tenants import current_school_id, system_scope

log = logging.getLogger(__name__)

EXTERNAL_AUDIENCES = tuple(a for a in Audience if a.is_external)


# --- who gets what, when -------------------------------------------------------------------------------------


def delivery_for(audience: Audience, urgent: bool, recipient_user: User | None) -> Delivery:
    """Urgent safeguarding prompts go at once; so does anything for people outside the trust (an LA or a
    parent has no digest). Other prompts follow the staff member's own choice of immediate or daily digest."""
    if urgent or audience.is_external or recipient_user is None:
        return Delivery.IMMEDIATE
    if recipient_user.notification_preference == NotificationPreference.DAILY_DIGEST:
        return Delivery.DIGEST
    return Delivery.IMMEDIATE


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


def render_email(template: str, context: dict, recipient_name: str | None = None) -> RenderedEmail:
    """app/templates/email/<template>.subject.txt, .txt and (optional) .html. Rendered with the app's Jinja
    environment but none of the web page context: an email must not depend on who happened to trigger it."""
    env = current_app.jinja_env
    values = {**context, "recipient_name": recipient_name, "base_url": current_app.config["BASE_URL"]}
    subject = " ".join(env.get_template(f"email/{template}.subject.txt").render(values).split())
    text = env.get_template(f"email/{template}.txt").render(values).strip() + "\n"
    try:
        html_template = env.get_template(f"email/{template}.html")
    except TemplateNotFound:  # a plain-text-only email is allowed
        html = None
    else:
        html = html_template.render(values)
    return RenderedEmail(subject=subject[:300], text=text, html=html)


# --- queueing ------------------------------------------------------------------------------------------------


# A context key listing context keys whose values (a provider's attendance link: a credential) are taken out of
# the stored message once it is sent. Until then the outbox must hold them to send, or send again.
REMOVED_AFTER_SENDING = "_removed_after_sending"
REMOVED_TEXT = "[removed once sent]"


def queue_notification(*, dedupe_key: str, audience: Audience, recipient_email: str,
                       recipient_name: str | None = None, recipient_user: User | None = None, template: str,
                       context: dict, urgent: bool = False, about_type: str | None = None,
                       about_id: int | None = None, about_label: str | None = None,
                       school_id: int | None = None) -> Notification:
    """Add a notification to the outbox in the caller's transaction (the caller commits).

    The same `dedupe_key` is never queued twice: the existing row is returned instead. Make the key name the
    event and the recipient, e.g. "placement-commissioned:41:la:7". Two transactions racing with one key:
    the unique index refuses the second at commit, so it is still never sent twice.
    """
    return add_to_outbox(
        dedupe_key=dedupe_key, audience=audience, recipient_email=recipient_email, recipient_name=recipient_name,
        recipient_user=recipient_user, template=template, context=context, urgent=urgent,
        delivery=delivery_for(Audience(audience), urgent, recipient_user), about_type=about_type,
        about_id=about_id, about_label=about_label, school_id=school_id,
    )


def add_to_outbox(*, dedupe_key: str, audience: Audience, recipient_email: str, recipient_name: str | None,
                  recipient_user: User | None, template: str, context: dict, urgent: bool, delivery: Delivery,
                  about_type: str | None = None, about_id: int | None = None, about_label: str | None = None,
                  school_id: int | None = None) -> Notification:
    """As `queue_notification`, with the delivery decided by the caller (the digest and the test email)."""
    existing = existing_notification(dedupe_key)
    if existing is not None:
        return existing
    try:
        json.dumps(context)
    except TypeError as exc:
        raise TypeError(f"a notification's context is stored as JSON; {exc} (pass ids and text, not records)") from exc
    rendered = render_email(template, context, recipient_name)
    # Queued in a school's scope, it is that school's record (its external notices page lists it).
    school_id = school_id if school_id is not None else current_school_id()
    extra = {"school_id": school_id} if school_id is not None else {}
    notification = Notification(
        dedupe_key=dedupe_key, audience=Audience(audience), recipient_email=recipient_email,
        recipient_name=recipient_name, recipient_user_id=recipient_user.id if recipient_user else None,
        template=template, context=context, subject=rendered.subject, body_text=rendered.text,
        body_html=rendered.html, urgent=urgent, delivery=delivery, about_type=about_type, about_id=about_id,
        about_label=about_label, status=NotificationStatus.PENDING, attempts=0,
        message_id=message_id_for(dedupe_key, current_app.config["MAIL_DOMAIN"]), **extra,
    )
    db.session.add(notification)  # its delivery is enqueued after commit (see _note_new_immediate)
    _pending_keys(db.session())[dedupe_key] = notification
    return notification

def prefetch_notification_keys(keys: Iterable[str]) -> None:
    """Look many dedupe keys up at once; the ones not found are remembered as absent for this transaction, so
    `existing_notification` answers for them without a query of its own."""
    session = db.session()
    wanted = set(keys) - set(_pending_keys(session))
    absent = session.info.setdefault(_KNOWN_ABSENT, set())
    chunk = sorted(wanted)
    with session.no_autoflush:
        for start in range(0, len(chunk), 500):
            part = chunk[start:start + 500]
            found = set(session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(part))))
            absent.update(set(part) - found)


def existing_notification(dedupe_key: str) -> Notification | None:
    """The notification with this key, queued earlier or earlier in this transaction. It does not flush the
    session: a sweep queuing thousands of messages must not flush once per message."""
    session = db.session()
    pending = _pending_keys(session).get(dedupe_key)
    if pending is not None:
        return pending
    if dedupe_key in session.info.get(_KNOWN_ABSENT, ()):
        return None
    with session.no_autoflush:
        return session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))


def queue_for_users(users: Iterable[User], *, dedupe_key: str, template: str, context: dict,
                    audience: Audience = Audience.STAFF, urgent: bool = False, about_type: str | None = None,
                    about_id: int | None = None, about_label: str | None = None,
                    school_id: int | None = None) -> list[Notification]:
    """One notification per active user (each once), keyed "<dedupe_key>:user:<id>"."""
    queued: list[Notification] = []
    seen: set[int] = set()
    for user in users:
        if user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        queued.append(queue_notification(
            dedupe_key=f"{dedupe_key}:user:{user.id}", audience=audience, recipient_email=user.email,
            recipient_name=user.full_name, recipient_user=user, template=template, context=context, urgent=urgent,
            about_type=about_type, about_id=about_id, about_label=about_label, school_id=school_id,
        ))
    return queued


# --- the local authority and the Virtual School --------------------------------------------------------------


class MissingLAContact(LookupError):
    """The school's LA has no contact of the kind a notice needs: it cannot be sent until one is added."""


_CONTACT_FOR_AUDIENCE = {
    Audience.LOCAL_AUTHORITY: LAContactKind.AP_NOTIFICATIONS,  # 7.12: new off-site placements
    Audience.VIRTUAL_SCHOOL: LAContactKind.VIRTUAL_SCHOOL_HEAD,  # 7.6, 9.6: looked-after pupils
}


def _audience_for_contact(kind: LAContactKind) -> Audience:
    return Audience.VIRTUAL_SCHOOL if kind is LAContactKind.VIRTUAL_SCHOOL_HEAD else Audience.LOCAL_AUTHORITY


def responsible_local_authority(pupil, school: School) -> LocalAuthority:
    """The LA a notice about this pupil goes to: the pupil's responsible LA where one is recorded (a looked-after
    or EHCP pupil placed by another authority), else the school's (issue 15 "Also")."""
    if pupil is not None and pupil.responsible_local_authority_id is not None:
        return pupil.responsible_local_authority
    return school.local_authority


def notify_local_authority(school: School, kind: LAContactKind | Audience, *, template: str, context: dict,
                           dedupe_key: str, about_type: str | None = None, about_id: int | None = None,
                           about_label: str | None = None, pupil=None,
                           local_authority=None) -> Notification:
    """Queue a notice to one of the school's LA contacts (caller commits); it is recorded for the school's
    external notices page. `kind`: AP_NOTIFICATIONS for 7.12 notices (or Audience.LOCAL_AUTHORITY),
    VIRTUAL_SCHOOL_HEAD for the VSH (or Audience.VIRTUAL_SCHOOL), SEND for EHCP casework (7.5, 8.8).
    `local_authority`: another LA than the school's (a pupil's responsible LA); the school's when None.

    With `pupil`, the notice goes to the pupil's responsible LA (an EHCP or care placement made by another
    authority, issue 15), falling back to the school's. Raises `MissingLAContact` when the LA has no such contact
    with an email address."""
    if isinstance(kind, Audience):
        if kind not in _CONTACT_FOR_AUDIENCE:
            raise ValueError(f"{kind.value} is not a local authority audience")
        kind = _CONTACT_FOR_AUDIENCE[kind]
    la = local_authority or responsible_local_authority(pupil, school)
    contact = la.contact(kind)
    if contact is None or not contact.email:
        raise MissingLAContact(
            f"{la.name} has no '{kind.label}' contact with an email address, so {school.name} cannot send this "
            f"notice. The designated trustee adds it in the trust admin (Local authorities, LA contacts)."
        )
    notification = queue_notification(
        dedupe_key=dedupe_key, audience=_audience_for_contact(kind), recipient_email=contact.email,
        recipient_name=contact.name, template=template, context=context, urgent=False, about_type=about_type,
        about_id=about_id, about_label=about_label, school_id=school.id,
    )
    la_notice_queued(notification, school, la.id)  # the trust's other systems hear of it (issue 17 item 5)
    return notification


# --- the test email from the account page --------------------------------------------------------------------


def send_test_email(user: User) -> Notification:
    """Queue an email to the signed-in user, straight away whatever their digest choice, at most one a minute.
    It belongs to no school, so it is written in a system scope."""
    key = f"test-email:{user.id}:{local_now():%Y-%m-%dT%H:%M}"
    with system_scope("a signed-in user's own test email"):
        notification = add_to_outbox(
            dedupe_key=key, audience=Audience.STAFF,
            recipient_email=user.email, recipient_name=user.full_name, recipient_user=user,
            template="test_email", context={"email": user.email, "queued_at": f"{local_now():%-d %B %Y, %H:%M}",
                                            "digest": user.notification_preference
                                            == NotificationPreference.DAILY_DIGEST},
            urgent=False, delivery=Delivery.IMMEDIATE,
        )
        try:
            db.session.commit()
        except IntegrityError:  # a double click: the other request queued this minute's email first
            db.session.rollback()
            notification = existing_notification(key)
    return notification
