"""Long work a person starts and watches (issue 14 item 7): a school's job row with its state, progress
(done of total), a result summary and the problems found, written by an RQ job as it goes in chunks."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(TenantScopedMixin, TimestampMixin, db.Model):
    """One run of a long piece of work (a large MIS import, a slow report). `kind` names its runner in
    app.services.background_jobs.RUNNERS; `input_ref` is what the runner reads (the kept upload's token)."""

    __tablename__ = "background_jobs"
    __table_args__ = (Index("ix_background_jobs_school_started", "school_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[JobState] = mapped_column(StoredEnum(JobState, 20), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    input_ref: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # [{"row": 7, "column": "upn", "message": "..."}]
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    started_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        return 100 if self.finished else int(100 * self.done / self.total) if self.total else 0
