"""Accounts as people expect them (issue 13 item 7): an invitation by email with a single-use expiring link
(the person sets their own password), a password reset that answers the same whether or not the address has
an account, changing one's password, and leavers deactivated by the headteacher or the trustee (which ends
their sessions, API tokens and calendar feed). Every email goes through the outbox."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.audit import record_event
from app.clock import local_now, now
from app.extensions import db
from app.models import AccountToken, AccountTokenPurpose, ApiToken, Audience, CalendarFeed, Delivery, SchoolRole, User
from app.services import user_sessions
from app.services.notifications import add_to_outbox
from app.services.passwords import password_problem
from tenants import system_scope

INVITATION_VALID_FOR = timedelta(days=7)
RESET_VALID_FOR = timedelta(hours=1)
# A second reset request inside this time sends nothing new (the first email is still good).
RESET_RESEND_AFTER = timedelta(minutes=5)

_VALID_FOR = {AccountTokenPurpose.INVITATION: INVITATION_VALID_FOR,
              AccountTokenPurpose.PASSWORD_RESET: RESET_VALID_FOR}
_ENDPOINT = {AccountTokenPurpose.INVITATION: "accounts.accept_invitation",
             AccountTokenPurpose.PASSWORD_RESET: "accounts.reset_password"}
_TEMPLATE = {AccountTokenPurpose.INVITATION: "account_invitation",
             AccountTokenPurpose.PASSWORD_RESET: "password_reset"}


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _link(purpose: AccountTokenPurpose, raw: str) -> str:
    # Emails are read outside any request: the link is under BASE_URL, whatever host the request came in on.
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(_ENDPOINT[purpose], {"token": raw}, force_external=True)


def _issue(user: User, purpose: AccountTokenPurpose, by: User | None) -> str:
    """A new link for the person, ending any earlier unused one of the same kind; queues its email. The caller
    commits."""
    moment = now()
    db.session.execute(update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                                  AccountToken.used_at.is_(None), AccountToken.expires_at > moment)
                       .values(expires_at=moment))
    raw = secrets.token_urlsafe(32)
    token = AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(raw),
                         expires_at=moment + _VALID_FOR[purpose], created_by_id=by.id if by else None)
    db.session.add(token)
    db.session.flush()
    valid_for = _VALID_FOR[purpose]
    hours = int(valid_for.total_seconds() // 3600)
    with system_scope(f"account email: {purpose.value}"):
        add_to_outbox(
            dedupe_key=f"account-{purpose.value}:{user.id}:{token.id}", audience=Audience.STAFF,
            recipient_email=user.email, recipient_name=user.full_name, recipient_user=user,
            template=_TEMPLATE[purpose], urgent=True, delivery=Delivery.IMMEDIATE,
            context={"link": _link(purpose, raw), "invited_by": by.full_name if by else None,
                     "valid_for": f"{hours // 24} days" if hours >= 48 else f"{hours} hour{'s' if hours != 1 else ''}",
                     "email": user.email, "sent_at": f"{local_now():%-d %B %Y, %H:%M}"},
        )
        # Written inside the scope: a trust-level outbox row (no school) is behind row-level security otherwise.
        db.session.flush()
    record_event(db.session, f"{purpose.value}_sent", "User", user.id, actor_id=by.id if by else None)
    return raw


def invite(user: User, by: User | None) -> str:
    """Email the person a link to set their own password. Returns the raw token (tests; never shown)."""
    raw = _issue(user, AccountTokenPurpose.INVITATION, by)
    db.session.commit()
    return raw


def request_password_reset(email: str) -> None:
    """Email a reset link if the address has an active account. The caller says the same thing either way."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or not user.is_active:
        return
    recent = db.session.scalar(select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.purpose == AccountTokenPurpose.PASSWORD_RESET,
        AccountToken.used_at.is_(None), AccountToken.created_at > now() - RESET_RESEND_AFTER))
    if recent is not None:
        return
    _issue(user, AccountTokenPurpose.PASSWORD_RESET, None)
    db.session.commit()


def usable_token(raw: str, purpose: AccountTokenPurpose) -> AccountToken | None:
    """The link's token if it can still be used: known, of this kind, unused, unexpired, its person active."""
    if not raw:
        return None
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(raw),
                                                         AccountToken.purpose == purpose))
    if token is None or token.used_at is not None or token.expires_at <= now():
        return None
    if not token.user.is_enabled or token.user.is_archived:
        return None
    return token


@dataclass
class PasswordResult:
    ok: bool
    errors: dict[str, str] = field(default_factory=dict)
    user: User | None = None


def _new_password_errors(user: User, password: str, confirm: str, field_name: str = "password") -> dict[str, str]:
    problem = password_problem(password, email=user.email, full_name=user.full_name)
    if problem:
        return {field_name: problem}
    if password != confirm:
        return {"confirm": "The two passwords are not the same. Type the new password again in both boxes."}
    return {}


def set_password_with_link(raw: str, purpose: AccountTokenPurpose, password: str, confirm: str) -> PasswordResult:
    """Use an invitation or reset link once: the password is set, every session of the person ends."""
    token = usable_token(raw, purpose)
    if token is None:
        return PasswordResult(False, {"token": "This link cannot be used."})
    user = token.user
    errors = _new_password_errors(user, password, confirm)
    if errors:
        return PasswordResult(False, errors)
    # Single use, race-safe: only the request that marks the token used goes on.
    claimed = db.session.execute(update(AccountToken).where(AccountToken.id == token.id,
                                                            AccountToken.used_at.is_(None))
                                 .values(used_at=now())).rowcount
    if claimed != 1:
        db.session.rollback()
        return PasswordResult(False, {"token": "This link cannot be used."})
    user.set_password(password)
    user_sessions.end_all(user, reason="password set by email link")
    record_event(db.session, f"password_set_by_{purpose.value}", "User", user.id, actor_id=user.id)
    db.session.commit()
    return PasswordResult(True, user=user)


def change_password(user: User, current: str, new: str, confirm: str) -> PasswordResult:
    """The signed-in person's own change: the current password first; every other session ends."""
    if not user.check_password(current or ""):
        return PasswordResult(False, {"current_password": "That is not your current password."})
    errors = _new_password_errors(user, new, confirm, field_name="new_password")
    if errors:
        return PasswordResult(False, errors)
    user.set_password(new)
    user_sessions.end_all(user, reason="password changed")
    record_event(db.session, "password_changed", "User", user.id, actor_id=user.id)
    db.session.commit()
    return PasswordResult(True, user=user)


def end_access(user: User, reason: str) -> None:
    """A leaver: every session, API token and calendar feed ends (the caller commits)."""
    moment = now()
    user_sessions.end_all(user, reason=reason)
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=moment))
    for feed in db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == user.id,
                                                              CalendarFeed.revoked_at.is_(None))):
        feed.revoked_at = moment  # one by one: feeds are audited


def deactivate_leaver(user: User, by: User) -> None:
    """The trustee's deactivation: the account is disabled and all its access ends."""
    user.is_enabled = False
    end_access(user, reason="deactivated")
    record_event(db.session, "deactivated", "User", user.id, actor_id=by.id)
    db.session.commit()


def school_staff(school_id: int) -> list[User]:
    """The school's staff with their roles (read with them: the page lists each person's roles)."""
    ids = select(SchoolRole.user_id).where(SchoolRole.school_id == school_id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).options(selectinload(User.school_roles))
                                   .order_by(User.full_name)))


def remove_from_school(user_id: int, school_id: int, by: User) -> User | None:
    """The headteacher's leaver: the person's roles at this school end; when they hold no other role anywhere,
    the account is disabled and all its access ends. None when the person has no role here (a 404)."""
    user = db.session.get(User, user_id)
    if user is None or user.id == by.id:
        return None
    roles = [sr for sr in user.school_roles if sr.school_id == school_id]
    if not roles:
        return None
    for role in roles:
        db.session.delete(role)  # a role is removed, not archived; the removal is in the audit trail
    db.session.flush()
    db.session.refresh(user)
    if not user.school_roles and not user.trust_roles:
        user.is_enabled = False
        end_access(user, reason="left the school")
    record_event(db.session, "left_school", "User", user.id, school_id=school_id, actor_id=by.id)
    db.session.commit()
    return user
