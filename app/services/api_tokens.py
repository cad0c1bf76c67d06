"""Personal API tokens: shown once, stored as a SHA-256, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import abort, g, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.clock import now
from app.extensions import db
from app.models import ApiToken, User

TOKEN_PREFIX = "aph_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, name: str, valid_for: timedelta | None = timedelta(days=365)) -> str:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name.strip(), token_hash=_hash(raw), prefix=raw[:10],
                            expires_at=now() + valid_for if valid_for else None))
    db.session.commit()
    return raw


def for_user(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc())))


def revoke(user: User, token_id: int) -> None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        abort(404)
    if token.revoked_at is None:
        token.revoked_at = now()
        db.session.commit()


# A token's use is recorded at most this often: writing and committing it on every request was half of an
# API request's statements (issue 18), and the account page shows it to the minute.
USE_RECORDED_EVERY = timedelta(minutes=1)


def _token(raw: str) -> ApiToken | None:
    """The token row with its holder, looked up once per request (the throttle and the route both ask)."""
    cache = g.setdefault("_api_tokens", {}) if has_app_context() else {}
    if raw not in cache:
        cache[raw] = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                                       .where(ApiToken.token_hash == _hash(raw)))
    return cache[raw]


def is_live(raw: str) -> bool:
    """Whether a token would be accepted, without recording a use (the throttle asks before the route does)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return False
    token = _token(raw)
    return (token is not None and token.revoked_at is None and token.user.is_active
            and (token.expires_at is None or token.expires_at > now()))


def user_for_token(raw: str) -> User | None:
    """The token's holder, if the token is live. Records when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = _token(raw)
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now():
        return None
    if not token.user.is_active:
        return None
    at = now()
    if token.last_used_at is None or token.last_used_at <= at - USE_RECORDED_EVERY:
        token.last_used_at = at
        db.session.commit()
    return token.user
