"""Flexi-schooling (policy section 10): a parent's written request, the headteacher's decision and letter, the
agreement 10.5 describes, its termly reviews and its withdrawal by either side. Tenant-owned.

The rules (one request a year, whole blocks, four weeks' notice, when reviews are due) are
app.policy.flexi_schooling. The home sessions an agreement gives are AttendanceSession rows of kind
`flexi_schooling_home` (code C), made by app.services.flexi_register.
"""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class FlexiRequestStatus(enum.StrEnum):
    RECEIVED = "received"  # being considered: the meeting offered and held (10.4)
    APPROVED = "approved"  # the headteacher agreed; an agreement follows (10.5)
    REFUSED = "refused"  # no right of appeal (10.4)


class FlexiRequest(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A parent's or carer's request for flexi-schooling, received in writing (10.4), and the headteacher's
    decision, communicated in writing. At most one per pupil per academic year (the policy's "will not usually
    consider another request ... in the same academic year"): the unique key makes two at once one."""

    __tablename__ = "flexi_requests"
    __table_args__ = (
        UniqueConstraint("school_id", "pupil_id", "academic_year", name="uq_flexi_requests_pupil_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    academic_year: Mapped[int] = mapped_column(Integer)  # the year the request was received in: 2025 for 2025-26
    received_on: Mapped[dt.date] = mapped_column(Date)  # the written request's date of receipt
    requested_by: Mapped[str] = mapped_column(String(200))  # the parent or carer
    request_summary: Mapped[str] = mapped_column(Text)  # what they ask for and why, in their words
    # The proposed pattern: the sessions at home, as ["mon_am", "fri_pm", ...] (app.policy.flexi_schooling).
    proposed_home_sessions: Mapped[list] = mapped_column(JSON, default=list)
    # The written request itself, stored like evidence files (outside the web root, under a random name).
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    document_content_type: Mapped[str | None] = mapped_column(String(100))
    document_size_bytes: Mapped[int | None] = mapped_column(Integer)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    # 10.4: "will offer to meet with parents or carers to discuss the matter".
    meeting_offered_on: Mapped[dt.date | None] = mapped_column(Date)
    meeting_held_on: Mapped[dt.date | None] = mapped_column(Date)
    meeting_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[FlexiRequestStatus] = mapped_column(StoredEnum(FlexiRequestStatus, 20),
                                                      default=FlexiRequestStatus.RECEIVED)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The decision (10.4): the headteacher's, with reasons, in writing; there is no appeal.
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    letter_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    letter_sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    pupil = relationship("Pupil")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    agreement: Mapped[FlexiAgreement | None] = relationship(back_populates="request", uselist=False)


class WithdrawnBy(enum.StrEnum):
    SCHOOL = "school"
    PARENT = "parent"


class FlexiAgreement(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """The flexi-schooling agreement drawn up by the school (10.5), reviewed termly and ended by either side's
    withdrawal with notice (10.6). It runs from `start_date` to `end_date` (None: no end set)."""

    __tablename__ = "flexi_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("flexi_requests.id"), unique=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    # 10.5, in its order.
    pupil_needs: Mapped[str] = mapped_column(Text)  # key information about the pupil and their needs
    rationale: Mapped[str] = mapped_column(Text)
    start_date: Mapped[dt.date] = mapped_column(Date)
    home_sessions: Mapped[list] = mapped_column(JSON, default=list)  # whole blocks at home: ["mon_am", ...]
    home_education_provision: Mapped[str] = mapped_column(Text)
    section_7_how_met: Mapped[str] = mapped_column(Text)  # how the home education meets s.7 Education Act 1996
    welfare_responsible_at_home: Mapped[str] = mapped_column(String(200))
    school_curriculum: Mapped[str] = mapped_column(Text)
    school_assessments: Mapped[str] = mapped_column(Text)
    school_send_provision: Mapped[str | None] = mapped_column(Text)
    agreed_on: Mapped[dt.date] = mapped_column(Date)
    agreed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Withdrawal (10.6): by either side, with notice; the arrangement ends on end_date.
    withdrawn_by: Mapped[WithdrawnBy | None] = mapped_column(StoredEnum(WithdrawnBy, 10))
    notice_given_on: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    request: Mapped[FlexiRequest] = relationship(back_populates="agreement")
    pupil = relationship("Pupil")
    agreed_by = relationship("User", foreign_keys=[agreed_by_id])
    reviews: Mapped[list[FlexiReview]] = relationship(back_populates="agreement", order_by="FlexiReview.held_on")

    def runs_on(self, day: dt.date) -> bool:
        return (self.archived_at is None and self.start_date <= day
                and (self.end_date is None or day <= self.end_date))


class FlexiReviewOutcome(enum.StrEnum):
    CONTINUE = "continue"
    CONTINUE_WITH_CHANGES = "continue_with_changes"
    WITHDRAW = "withdraw"  # the school will give notice (recorded as a withdrawal)


class FlexiReview(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A termly review of a flexi-schooling agreement (10.6). `term_key` is the term it is for
    (app.policy.flexi_schooling.TermlyReview.key); one review per agreement per term."""

    __tablename__ = "flexi_reviews"
    __table_args__ = (
        UniqueConstraint("school_id", "agreement_id", "term_key", name="uq_flexi_reviews_agreement_term"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("flexi_agreements.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    term_key: Mapped[str] = mapped_column(String(40))
    held_on: Mapped[dt.date] = mapped_column(Date)
    progress: Mapped[str] = mapped_column(Text)
    pupil_views: Mapped[str | None] = mapped_column(Text)
    parents_views: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[FlexiReviewOutcome] = mapped_column(StoredEnum(FlexiReviewOutcome, 30))
    changes_agreed: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    agreement: Mapped[FlexiAgreement] = relationship(back_populates="reviews")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
