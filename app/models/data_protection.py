"""Data protection records (issue 19): legal holds, the retention disposals the trust's data protection officer
approves, and subject access requests. None holds personal data beyond ids and the reasons people typed."""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.mixins import AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class LegalHold(TimestampMixin, AuditedMixin, db.Model):
    """A pupil's or a provider's records must not be destroyed (litigation, an inquiry, a police request).
    A trust record: the designated trustee places and lifts holds for any school."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint("(pupil_id IS NULL) <> (provider_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)  # the pupil's school
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class DisposalStatus(enum.StrEnum):
    PROPOSED = "proposed"  # found due by the weekly job, waiting for the data protection officer
    APPROVED = "approved"  # approved; the next run carries it out
    DONE = "done"
    HELD = "held"  # a legal hold came on after it was proposed: not carried out


class RetentionDisposal(TimestampMixin, AuditedMixin, db.Model):
    """One record due for its retention action. Only the kind and id of the record: no personal data, so it
    can outlive what it names."""

    __tablename__ = "retention_disposals"
    __table_args__ = (UniqueConstraint("record_type", "record_id", name="uq_retention_disposals_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(20))  # app.policy.retention_schedule.RetentionAction
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[DisposalStatus] = mapped_column(StoredEnum(DisposalStatus, 20), default=DisposalStatus.PROPOSED,
                                                   index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubjectAccessRequest(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """A request for a pupil's whole record (UK GDPR Article 15): answered within one month."""

    __tablename__ = "subject_access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    requester: Mapped[str] = mapped_column(String(200))  # who asked: "the pupil's mother", "the pupil"
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the DSL or headteacher recording it
    note: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
