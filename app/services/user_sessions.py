"""Sessions held on the server (issue 13 item 5): the cookie carries a random key, this table says whether it
still signs anyone in. Sign-out, "sign out everywhere", a new password and deactivation end rows here, so a
copied cookie stops working at once rather than when it is next left idle."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, g, session
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import User, UserSession

# A session's last-seen time is written at most this often, so browsing is not a write per request.
TOUCH_EVERY = timedelta(minutes=1)


def key_hash(key: str | None) -> str | None:
    return _hash(key) if key else None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPad", "iPad"), ("iPhone", "iPhone"), ("Android", "Android"), ("CrOS", "ChromeOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


def describe_device(user_agent: str | None) -> str:
    """A person-readable name for a browser, e.g. "Firefox on Windows": enough to recognise one's own."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), None)
    system = next((name for marker, name in _SYSTEMS if marker in ua), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or system
    return re.sub(r"[^\w ./-]", "", ua)[:60] or "Unknown device"


def start(user: User, user_agent: str | None, remote_addr: str | None) -> str:
    """Open a session for a person who has just proved who they are; the caller commits. Returns the key."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key), generation=user.session_token,
                               device=describe_device(user_agent), remote_addr=(remote_addr or "")[:64] or None,
                               last_seen_at=now()))
    return key


def open_session(user: User, user_agent: str | None, remote_addr: str | None) -> str:
    key = start(user, user_agent, remote_addr)
    db.session.commit()
    return key


def close_session(user: User) -> None:
    """Sign-out: the session this request used ends on the server, so a copy of its cookie is worthless."""
    end(getattr(user, "session_key", None))
    record_event(db.session, "sign_out", "User", user.id, actor_id=user.id)
    db.session.commit()


def _idle_limit() -> timedelta:
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def load(key: str | None) -> User | None:
    """The person a cookie's key signs in, or None when its session has ended, lapsed or was superseded."""
    if not key:
        return None
    # The session, its person and their school roles in one statement: every signed-in request reads them
    # (a school's pages check the roles there, issue 18).
    found = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .where(UserSession.key_hash == _hash(key), UserSession.ended_at.is_(None))
                               .options(joinedload(User.school_roles))).unique().first()
    if found is None:
        return None
    row, user = found
    moment = now()
    if not user.is_active or row.generation != user.session_token:
        return None
    if row.last_seen_at < moment - _idle_limit():
        _end(select_ids=[row.id], reason="idle")
        db.session.commit()
        return None
    if row.last_seen_at < moment - TOUCH_EVERY:
        # Conditional, so two requests at once write once and never move last-seen backwards.
        db.session.execute(update(UserSession).where(UserSession.id == row.id,
                                                     UserSession.last_seen_at < moment - TOUCH_EVERY)
                           .values(last_seen_at=moment))
        db.session.commit()
    user.session_key = key
    return user


def _end(select_ids: list[int], reason: str) -> None:
    if select_ids:
        db.session.execute(update(UserSession).where(UserSession.id.in_(select_ids), UserSession.ended_at.is_(None))
                           .values(ended_at=now(), ended_reason=reason))


def end(key: str | None, reason: str = "signed out") -> None:
    """End the session this key belongs to (sign-out); the caller commits."""
    if key:
        db.session.execute(update(UserSession).where(UserSession.key_hash == _hash(key),
                                                     UserSession.ended_at.is_(None))
                           .values(ended_at=now(), ended_reason=reason))


def end_all(user: User, reason: str = "signed out everywhere") -> None:
    """End every session of one person, and any a cookie could still name; the caller commits."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=now(), ended_reason=reason))
    user.rotate_session_token()


def active_for(user: User) -> list[UserSession]:
    since = now() - _idle_limit()
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                  UserSession.generation == user.session_token, UserSession.last_seen_at >= since)
        .order_by(UserSession.last_seen_at.desc())))


def sign_out_everywhere(user: User) -> None:
    end_all(user)
    record_event(db.session, "sign_out_everywhere", "User", user.id, actor_id=user.id)
    db.session.commit()


def fresh_cookie() -> None:
    """A new cookie session (no value from before sign-in or sign-out carries over), with a new CSRF secret;
    the token cached for this request is dropped too so the page rendered next matches the new secret."""
    session.clear()
    g.pop("csrf_token", None)
