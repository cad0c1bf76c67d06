"""Columns most records share."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
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


class ArchiveReasonMixin:
    """A record a person added and may archive with a reason (issue 14 item 8): the reason is shown on the
    record's history, and the audit trail's archive event keeps it with the values the record had."""

    archive_reason: Mapped[str | None] = mapped_column(String(500), default=None)


class AuditedMixin:
    """Every create, change and archive of this record is written to the audit trail."""

    __audited__ = True
