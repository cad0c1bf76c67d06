"""Each person's private iCalendar feed of their reviews, QA visits and follow-up actions (issue 7 item 7).

The feed URL carries a random token shown once; only its SHA-256 is stored (like ApiToken). A person has at most
one live feed: making a new one revokes the old URL, and revoking ends it. The feed lists the person's own open
tasks of those kinds (what their inbox shows: named to them, to a role they hold, or escalated to it) in every
school where they hold a role, each read in that school's own scope.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import CalendarFeed, School, SchoolRole, User
from app.services.tasks import TaskKind, open_tasks_for, rules_for, task_link
from tenants import school_scope

TOKEN_PREFIX = "apcal_"
FEED_KINDS = (TaskKind.HALF_TERMLY_REVIEW, TaskKind.QA_VISIT_DUE, TaskKind.FOLLOW_UP_ACTION)
PRODID = "-//AP Hub//Reviews and visits//EN"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_feed(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                        CalendarFeed.revoked_at.is_(None)))


def _revoke_all(user: User) -> int:
    feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                          CalendarFeed.revoked_at.is_(None))).all()
    for feed in feeds:
        feed.revoked_at = clock.now()
    return len(feeds)


def create_feed(user: User) -> str:
    """A new private feed URL's token (shown once); any earlier URL of the person stops working. Commits."""
    _revoke_all(user)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=_hash(raw)))
    db.session.commit()
    return raw


def revoke_feed(user: User) -> bool:
    """End the person's feed URL. Commits. False when there was none."""
    revoked = _revoke_all(user)
    db.session.commit()
    return bool(revoked)


def feed_for_token(raw: str) -> CalendarFeed | None:
    """The live feed behind a URL token, or None (unknown, revoked, or its holder can no longer sign in)."""
    if not raw:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(raw)))
    if feed is None or feed.revoked_at is not None or not feed.user.is_active:
        return None
    return feed


def _schools_of(user: User) -> list[School]:
    return list(db.session.scalars(select(School).where(
        School.id.in_(select(SchoolRole.school_id).where(SchoolRole.user_id == user.id)),
        School.is_active.is_(True)).order_by(School.name)))


def feed_ics(feed: CalendarFeed) -> bytes:
    """The feed as an iCalendar document: one all-day VEVENT per open task, on its due day. Records the use."""
    user = feed.user
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "AP Hub: reviews and visits")
    stamp = clock.now()
    kinds = {k.value for k in FEED_KINDS}
    for school in _schools_of(user):
        with school_scope(school.id):
            for task in open_tasks_for(user, school):
                if task.kind not in kinds:
                    continue
                due = clock.to_local(task.due_at).date()
                event = Event()
                event.add("uid", f"task-{task.id}@aphub")
                event.add("dtstamp", stamp)
                event.add("dtstart", due)
                event.add("dtend", due + timedelta(days=1))
                event.add("summary", f"{task.title} ({school.name})")
                link = task_link(task, school.slug, external=True)
                event.add("description", "\n".join(filter(None, [rules_for(task.kind).label, task.detail, link])))
                if link:
                    event.add("url", link)
                calendar.add_component(event)
    feed.last_used_at = stamp
    db.session.commit()
    return calendar.to_ical()
