"""The daily digest: each person's waiting prompts folded into one email."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update

from app import clock
from app.extensions import db
from app.models import Audience, Delivery, Notification, NotificationStatus, User
from app.services.notifications import add_to_outbox
from app.templating import localdatetime
from jobs.context import in_system

log = logging.getLogger(__name__)


@dataclass
class DigestReport:
    digests: int = 0
    folded: int = 0


def send_daily_digests() -> DigestReport:
    """Fold each person's waiting (digest) prompts into one email, itself an outbox row keyed by person and
    local date: run twice in a day, the second run finds today's digest and leaves new prompts for tomorrow."""
    report = DigestReport()
    with in_system("daily digests: waiting prompts of every school, one email per person"):
        day = clock.today()
        user_ids = list(db.session.scalars(
            select(Notification.recipient_user_id)
            .where(Notification.status == NotificationStatus.PENDING, Notification.delivery == Delivery.DIGEST,
                   Notification.recipient_user_id.is_not(None))
            .distinct()
        ))
        for user_id in user_ids:
            try:
                folded = _fold_digest(user_id, day)
            except Exception:
                db.session.rollback()
                log.exception("daily digest for user %s failed; their prompts wait for the next run", user_id)
                continue
            if folded:
                report.digests += 1
                report.folded += folded
    return report


def _fold_digest(user_id: int, day: date) -> int:

    dedupe_key = f"daily-digest:{user_id}:{day.isoformat()}"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)) is not None:
        return 0
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return 0
    items = list(db.session.scalars(
        select(Notification)
        .where(Notification.recipient_user_id == user_id, Notification.status == NotificationStatus.PENDING,
               Notification.delivery == Delivery.DIGEST)
        .order_by(Notification.created_at, Notification.id)
    ))
    if not items:
        return 0
    context = {
        "day": f"{day:%A %-d %B %Y}",
        "items": [{"subject": n.subject, "text": n.body_text, "about": n.about_label,
                   "queued_at": localdatetime(n.created_at)} for n in items],
    }
    digest = add_to_outbox(
        dedupe_key=dedupe_key, audience=Audience.STAFF, recipient_email=user.email, recipient_name=user.full_name,
        recipient_user=user, template="daily_digest", context=context, urgent=False, delivery=Delivery.IMMEDIATE,
        about_type="User", about_id=user.id, about_label=user.full_name,
    )
    db.session.flush()  # the digest's id, for digest_id
    ids = [n.id for n in items]
    folded = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == NotificationStatus.PENDING)
        .values(status=NotificationStatus.IN_DIGEST, digest_id=digest.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if folded != len(ids):  # another run took some of them: let it have them all
        db.session.rollback()
        return 0
    db.session.commit()
    return folded
