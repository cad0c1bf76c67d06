"""What keeps an account safe: the sessions a person is signed in with (ended on the server at sign-out)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import TimestampMixin
from app.models.types import UTCDateTime


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
