"""Columns most records share."""
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import now
from app.models.types import UTCDateTime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now, nullable=False)


class ArchivableMixin:
    """Safeguarding-relevant records are archived, never deleted (design invariant 7)."""

    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AuditedMixin:
    """Every create, change and archive of this record is written to the audit trail."""

    __audited__ = True
