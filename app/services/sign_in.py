"""Signing in: password check and throttling. Every refusal reads the same, so it reveals no account."""
from __future__ import annotations

import functools
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import SignInAttempt, User

REFUSED = "That email address and password do not match an account. Check them and try again."


class SignInRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _recent_failures(email: str) -> int:
    since = now() - timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return db.session.scalar(
        select(func.count()).select_from(SignInAttempt).where(SignInAttempt.email == email, SignInAttempt.at >= since)
    )


def sign_in(email: str, password: str, remote_addr: str | None) -> User:
    email = normalise_email(email)
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    if _recent_failures(email) >= limit:
        minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
        raise SignInRefused(
            f"Too many attempts to sign in with this email address. Wait {minutes} minutes and try again, "
            "or ask your AP Hub administrator to reset your password."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # As slow as a wrong password, so the time taken does not tell whether the address has an account.
        check_password_hash(_no_account_hash(), password or "")
    if user is None or not user.is_active or not user.check_password(password or ""):
        db.session.add(SignInAttempt(email=email, remote_addr=remote_addr, at=now()))
        db.session.commit()
        raise SignInRefused(REFUSED)
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
    user.last_sign_in_at = now()
    record_event(db.session, "sign_in", "User", user.id, actor_id=user.id, detail=remote_addr)
    db.session.commit()
    return user


@functools.cache
def _no_account_hash() -> str:
    return generate_password_hash("no account has this address")


def sign_out_everywhere(user: User) -> None:
    from app.services.user_sessions import sign_out_everywhere as end_every_session

    end_every_session(user)
