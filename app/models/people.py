"""People, the roles they hold in schools and in the trust, and their API tokens."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from app.roles import SchoolRoleName, TrustRoleName


class NotificationPreference(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY_DIGEST = "daily_digest"


class User(UserMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "users"
    __audit_exclude__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    notification_preference: Mapped[NotificationPreference] = mapped_column(
        StoredEnum(NotificationPreference, 20), default=NotificationPreference.IMMEDIATE
    )
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing it signs the user out everywhere (Flask-Login's alternative id).
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: _new_session_token())

    school_roles: Mapped[list[SchoolRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="SchoolRole.user_id"
    )
    trust_roles: Mapped[list[TrustRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="TrustRole.user_id"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_enabled and not self.is_archived

    # The key of the server-side session this request signed in with (app/services/user_sessions.py); set at
    # sign-in and by the user loader, never stored on the row.
    session_key = None  # type: str | None

    def get_id(self) -> str | None:
        return self.session_key

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"


def _new_session_token() -> str:
    return secrets.token_hex(32)


class SchoolRole(TimestampMixin, AuditedMixin, db.Model):
    """A person's role in one school. Membership is trust-level data: it says which schools a user may enter."""

    __tablename__ = "school_roles"
    __table_args__ = (UniqueConstraint("user_id", "school_id", "role", name="uq_school_roles_user_school_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    role: Mapped[SchoolRoleName] = mapped_column(StoredEnum(SchoolRoleName, 40))
    # What part of the school this role covers, e.g. "EYFS/KS1" for one of two attendance officers.
    covers: Mapped[str | None] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="school_roles", foreign_keys=[user_id])
    school = relationship("School")

    def __str__(self) -> str:
        return f"{self.role.label} at school {self.school_id}"


class TrustRole(TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "trust_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_trust_roles_user_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[TrustRoleName] = mapped_column(StoredEnum(TrustRoleName, 40))

    user: Mapped[User] = relationship(back_populates="trust_roles", foreign_keys=[user_id])

    def __str__(self) -> str:
        return self.role.label


class ApiToken(TimestampMixin, db.Model):
    """A personal API token. Only its SHA-256 is stored; the holder's roles apply to every call."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so a holder can tell tokens apart
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInAttempt(db.Model):
    """Failed sign-ins, for throttling. Keyed by the address typed, whether or not an account has it."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
