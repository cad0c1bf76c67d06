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
from datetime import datetime

from flask import current_app
from jinja2 import TemplateNotFound
from redis.exceptions import RedisError
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.clock import local_now, now
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


_PENDING_KEYS = "aphub_outbox_pending_keys"


def _pending_keys(session: Session) -> dict[str, Notification]:
    return session.info.setdefault(_PENDING_KEYS, {})


_KNOWN_ABSENT = "aphub_outbox_known_absent"


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
    return queue_notification(
        dedupe_key=dedupe_key, audience=_audience_for_contact(kind), recipient_email=contact.email,
        recipient_name=contact.name, template=template, context=context, urgent=False, about_type=about_type,
        about_id=about_id, about_label=about_label, school_id=school.id,
    )


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


# --- reading the outbox --------------------------------------------------------------------------------------


@dataclass
class NoticesPage:
    items: list[Notification]
    page: int
    per_page: int
    has_next: bool


def external_notices(page: int = 1, per_page: int = 50) -> NoticesPage:
    """What the current school sent outside the trust (LA, VSH, social workers, parents), newest first: how a
    school shows it informed the LA. Runs in the school's scope, so only its own rows are seen."""
    page = max(page, 1)
    rows = list(db.session.scalars(
        select(Notification).where(Notification.audience.in_(EXTERNAL_AUDIENCES))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page + 1)
    ))
    return NoticesPage(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


@dataclass
class OutboxCounts:
    by_status: dict[str, int]
    oldest_pending_at: datetime | None  # the oldest immediate notification still waiting
    # Sent after a worker stopped mid-send and the row was put back: the server may have had it twice.
    may_be_duplicates: int = 0

    @property
    def oldest_pending_age_seconds(self) -> int | None:
        return None if self.oldest_pending_at is None else int((now() - self.oldest_pending_at).total_seconds())


# The states that need watching. Sent rows are history: counting them would grow with every year.
_WATCHED = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED)


def outbox_counts() -> OutboxCounts:
    """Counts of waiting, sending and failed notifications for queue health (needs a trust or system scope:
    it spans schools). Reads only those rows, through the status index."""
    by_status = {s.value: 0 for s in _WATCHED}
    for status, count in db.session.execute(
        select(Notification.status, func.count()).where(Notification.status.in_(_WATCHED))
        .group_by(Notification.status)
    ):
        by_status[NotificationStatus(status).value] = count
    oldest = db.session.scalar(
        select(func.min(Notification.created_at)).where(Notification.status == NotificationStatus.PENDING,
                                                        Notification.delivery == Delivery.IMMEDIATE)
    )
    may_be_duplicates = db.session.scalar(
        select(func.count()).where(Notification.reclaimed_at.is_not(None),
                                   Notification.status == NotificationStatus.SENT))
    return OutboxCounts(by_status=by_status, oldest_pending_at=oldest, may_be_duplicates=may_be_duplicates)


# --- retrying by hand ----------------------------------------------------------------------------------------


def retry_failed_notifications(ids: Iterable[int] | None = None, actor_id: int | None = None) -> list[int]:
    """Failed → pending, due now, attempts kept (so the history shows every try); each retry is audited.
    With no ids, every failed notification. Commits. Needs a scope that sees the rows (trust admin, CLI)."""
    from app.audit import record_event

    query = select(Notification).where(Notification.status == NotificationStatus.FAILED)
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return []
        query = query.where(Notification.id.in_(ids))
    retried = []
    at = now()
    for notification in db.session.scalars(query.order_by(Notification.id)):
        notification.status = NotificationStatus.PENDING
        notification.next_attempt_at = at
        notification.claimed_at = None
        record_event(db.session, "notification_retry", "Notification", notification.id,
                     school_id=notification.school_id, actor_id=actor_id,
                     detail=f"retried after {notification.attempts} attempts; last error: "
                            f"{notification.last_error or 'none'}"[:500])
        retried.append(notification)
    db.session.flush()
    for notification in retried:
        _enqueue_after_commit(db.session(), notification)
    db.session.commit()
    return [n.id for n in retried]


# --- after commit: put delivery on a queue -------------------------------------------------------------------

_TO_ENQUEUE = "aphub_outbox_to_enqueue"


def _enqueue_after_commit(session: Session, notification: Notification) -> None:
    from jobs.outbox import DeliveryRef

    session.info.setdefault(_TO_ENQUEUE, []).append(DeliveryRef.of(notification))


def _note_new_immediate(session: Session, flush_context) -> None:
    """New immediate notifications have their ids once flushed: note them for enqueueing after the commit."""
    for obj in session.new:
        if isinstance(obj, Notification) and obj.delivery is Delivery.IMMEDIATE \
                and obj.status is NotificationStatus.PENDING:
            _enqueue_after_commit(session, obj)


def _enqueue_committed(session: Session) -> None:
    refs = session.info.pop(_TO_ENQUEUE, None)
    if not refs:
        return
    from jobs.outbox import enqueue_new_deliveries

    try:
        # One Redis round trip for the lot: a sweep can queue thousands of emails in one commit.
        enqueue_new_deliveries(refs)
    except RedisError as exc:
        log.warning("Redis unreachable (%s): %s committed notification(s) left for dispatch_outbox", exc, len(refs))
    except Exception:  # the commit has happened: nothing may undo it now; dispatch_outbox finds the rows
        log.warning("%s notification(s) committed but not enqueued; dispatch_outbox will deliver them", len(refs),
                    exc_info=True)


def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: its rows are gone
        session.info.pop(_TO_ENQUEUE, None)


def _forget_pending_keys(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed rows are found by the query; rolled-back ones are gone
        session.info.pop(_PENDING_KEYS, None)
        session.info.pop(_KNOWN_ABSENT, None)  # another transaction may queue them from now on


def install_outbox_enqueue(session_target) -> None:
    """Bound once, from the app factory, on the session class."""
    if not event.contains(session_target, "after_commit", _enqueue_committed):
        event.listen(session_target, "after_flush", _note_new_immediate)
        event.listen(session_target, "after_transaction_end", _forget_pending_keys)
        event.listen(session_target, "after_commit", _enqueue_committed)
        event.listen(session_target, "after_soft_rollback", _forget_rolled_back)
