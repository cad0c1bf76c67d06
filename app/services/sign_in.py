"""Signing in: password check and throttling. Every refusal reads the same, so it reveals no account.

Failures are never a lock: each further failure for an account from one address makes that address wait longer
before its next try (app/throttles.py has the figures), so a stranger's guesses slow the stranger only."""
from __future__ import annotations

import functools
from datetime import UTC, timedelta

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import throttles
from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import SignInAttempt, User
from app.services.user_sessions import sign_out_everywhere as end_every_session

REFUSED = "That email address and password do not match an account. Check them and try again."


class SignInRefused(Exception):
    status = 401

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SignInDelayed(SignInRefused):
    status = 429


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _wait_left(email: str, remote_addr: str | None) -> timedelta:
    """How much longer this address must wait before trying this account again (zero: go ahead)."""
    since = now() - throttles.SIGN_IN_FAILURE_WINDOW
    recent = (SignInAttempt.email == email, SignInAttempt.at >= since)
    everywhere, last_everywhere = db.session.execute(
        select(func.count(), func.max(SignInAttempt.at)).where(*recent)).one()
    if not everywhere:
        return timedelta(0)
    here, last_here = db.session.execute(
        select(func.count(), func.max(SignInAttempt.at)).where(*recent, SignInAttempt.remote_addr == remote_addr)
    ).one()
    here_wait = throttles.sign_in_wait(here, 0)
    everywhere_wait = throttles.sign_in_wait(0, everywhere)
    moment = now()
    left = timedelta(0)
    if here and here_wait:
        left = max(left, _aware(last_here) + here_wait - moment)
    if everywhere_wait:
        left = max(left, _aware(last_everywhere) + everywhere_wait - moment)
    return left


def _aware(moment):
    # func.max over the column comes back as the database gives it (naive UTC on SQLite).

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _wait_words(left: timedelta) -> str:
    seconds = max(1, int(-(-left.total_seconds() // 1)))
    if seconds < 300:
        return f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"


def sign_in(email: str, password: str, remote_addr: str | None) -> User:
    email = normalise_email(email)
    left = _wait_left(email, remote_addr)
    if left > timedelta(0):
        raise SignInDelayed(
            f"Too many attempts to sign in with this email address. Wait {_wait_words(left)} and try again, "
            "or reset your password."
        )
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        # As slow as a wrong password, so the time taken does not tell whether the address has an account.
        check_password_hash(_no_account_hash(), password or "")
    if user is None or not user.is_active or not user.check_password(password or ""):
        db.session.add(SignInAttempt(email=email, remote_addr=remote_addr, at=now()))
        db.session.commit()
        raise SignInRefused(REFUSED)
    # The failures stay until the sign-in is complete (forget_failures): a right password with the second step
    # still owed must not wipe the count that slows guessing of that second step.
    user.last_sign_in_at = now()
    record_event(db.session, "sign_in", "User", user.id, actor_id=user.id, detail=remote_addr)
    db.session.commit()
    return user


def second_step_failed(user: User, remote_addr: str | None) -> None:
    """A wrong code or a refused passkey after the right password counts as a failed sign-in of the account,
    from that address: the waits above then slow someone who has the password but not the second factor, per
    address and across addresses, as they slow password guessing (issue 13 items 6 and 8)."""
    db.session.add(SignInAttempt(email=normalise_email(user.email), remote_addr=remote_addr, at=now()))
    db.session.commit()


def forget_failures(user: User) -> None:
    """The sign-in is complete (password and any second step): its account's failures are cleared."""
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.email == normalise_email(user.email)))
    db.session.commit()


@functools.cache
def _no_account_hash() -> str:
    return generate_password_hash("no account has this address")


def sign_out_everywhere(user: User) -> None:
    end_every_session(user)
