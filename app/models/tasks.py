"""Work for a person: what to do, about what, for which role or person, by when."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from app.roles import SchoolRoleName
from tenants import TenantScopedMixin


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Task(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        # A sweep names each task it makes; the same key twice is the same task (sweeps are idempotent).
        UniqueConstraint("school_id", "dedupe_key", name="uq_tasks_school_dedupe_key"),
        Index("ix_tasks_open_by_role", "school_id", "status", "assigned_role"),
        Index("ix_tasks_reminder_due", "school_id", "status", "remind_at"),
        Index("ix_tasks_overdue", "school_id", "status", "due_at"),
        # The figures of a period count one kind of task due in it (reviews, QA visits): without the kind in the
        # index every task due in the window was read and filtered (issue 18; a window holds thousands at 10x).
        Index("ix_tasks_kind_due", "school_id", "kind", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))  # see app.services.tasks.TaskKind
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(50))
    subject_id: Mapped[int | None] = mapped_column()
    # Where the task is acted on: a Flask endpoint and its arguments (the school is added when linking).
    link_endpoint: Mapped[str | None] = mapped_column(String(100))
    link_args: Mapped[dict | None] = mapped_column(JSON)
    assigned_role: Mapped[SchoolRoleName | None] = mapped_column(StoredEnum(SchoolRoleName, 40))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[TaskStatus] = mapped_column(
        StoredEnum(TaskStatus, 20), default=TaskStatus.OPEN
    )
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    escalation_level: Mapped[int] = mapped_column(default=0)
    # What the reminder sweep looks at, so its work follows what is due, not the task history:
    # when the one reminder falls due (None: none pending), and when the next escalation level falls due
    # (None: not yet worked out; set the first time the task is seen overdue).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assigned_user = relationship("User", foreign_keys=[assigned_user_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])

    @property
    def is_open(self) -> bool:
        return self.status is TaskStatus.OPEN
