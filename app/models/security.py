"""What keeps an account safe: the sessions a person is signed in with (ended on the server at sign-out), and
the single-use links of invitations and password resets."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import TimestampMixin
from app.models.types import StoredEnum, UTCDateTime


class UserSession(TimestampMixin, db.Model):
    """One signed-in browser. The cookie holds a random key; only its SHA-256 is stored here, so the table
    cannot be replayed. A cookie is honoured only while its row is open and the person's generation
    (`User.session_token`, changed by "sign out everywhere" and a new password) is the one it began under."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    generation: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(100))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    ended_reason: Mapped[str | None] = mapped_column(String(40))

    user = relationship("User")


class AccountTokenPurpose(enum.StrEnum):
    INVITATION = "invitation"  # a new person sets their own password
    PASSWORD_RESET = "password_reset"


class AccountToken(TimestampMixin, db.Model):
    """A single-use, expiring link sent by email. Only its SHA-256 is stored; `used_at` is set by a conditional
    update, so two clicks at once set one password."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(StoredEnum(AccountTokenPurpose, 20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])


class TwoFactor(TimestampMixin, db.Model):
    """A person's authenticator app (TOTP, RFC 6238). Confirmed once a code from the app has been typed back;
    `last_step` is the time step of the last code accepted, so a code seen over a shoulder cannot be replayed."""

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    totp_secret: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(TimestampMixin, db.Model):
    """One-time codes for when the phone is lost; only their SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(TimestampMixin, db.Model):
    """A passkey (a WebAuthn credential) a person registered as a second factor. The public key and the
    authenticator's signature counter are kept; the counter must go forward at every use (a cloned
    authenticator shows itself by going back). Removing one deletes the row; the audit trail keeps its name."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url, at most 1,023 bytes
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    transports: Mapped[str | None] = mapped_column(String(200))  # comma-separated hints for the browser
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasskeyChallengePurpose(enum.StrEnum):
    REGISTER = "register"
    SIGN_IN = "sign_in"


class PasskeyChallenge(TimestampMixin, db.Model):
    """A WebAuthn ceremony's challenge, held on the server: the browser's cookie names only this row's random
    handle. Taken once by a conditional update (`used_at`), and only before `expires_at`, so a replayed
    answer, or a replayed cookie, finds it spent."""

    __tablename__ = "passkey_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[PasskeyChallengePurpose] = mapped_column(StoredEnum(PasskeyChallengePurpose, 20))
    challenge: Mapped[str] = mapped_column(String(200))  # base64url
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
