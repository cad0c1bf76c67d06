"""Oversight records (issue 16; policy 4.1, 4.2, 11, 12): the headteacher's report on the use of AP and its
presentation to governors and the trust, the governors' notes on it, complaints about how the policy was
applied, and the policy's reviews and each school's monitoring of it."""
from __future__ import annotations

import datetime as dt
from datetime import datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import UTCDateTime
from tenants import TenantScopedMixin


class HeadteacherReport(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """The headteacher's report on the use of AP for a period (4.2). The figures are worked out from the records
    each time it is shown (app.services.ap_report), so a later correction shows; once presented to governors the
    report's period and label are fixed."""

    __tablename__ = "headteacher_reports"
    __table_args__ = (UniqueConstraint("school_id", "first_day", "last_day", name="uq_headteacher_reports_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))  # e.g. "Autumn term 2025-26"
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    presented_on: Mapped[dt.date | None] = mapped_column(Date)  # to the governing body (4.1, 4.2)
    presented_meeting: Mapped[str | None] = mapped_column(String(200))  # the meeting, e.g. "Full governing body"
    presented_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sent_to_trust_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 4.2: and to the trust
    sent_to_trust_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    notes: Mapped[list[GovernorsNote]] = relationship(back_populates="report", order_by="GovernorsNote.id")


class GovernorsNote(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """What the governing body asked about a report and the actions agreed (4.1: monitoring the use of AP and
    holding the headteacher to account)."""

    __tablename__ = "governors_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("headteacher_reports.id"), index=True)
    questions: Mapped[str] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    report: Mapped[HeadteacherReport] = relationship(back_populates="notes")


class Complaint(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A concern or complaint about how the policy was applied (11.1), routed to the headteacher and tracked
    through the stages of the school's complaints procedure (app.policy.complaints) to an outcome."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_school_received", "school_id", "received_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    raised_by: Mapped[str] = mapped_column(String(200))  # who raised it, as they gave it
    raised_by_relationship: Mapped[str | None] = mapped_column(String(100))  # parent, provider, pupil, staff ...
    about: Mapped[str] = mapped_column(Text)  # what it is about, in the complainant's terms
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(40))  # a stage code of app.policy.complaints
    stage_started_on: Mapped[dt.date] = mapped_column(Date)
    stage_due_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))  # an outcome code of app.policy.complaints
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    steps: Mapped[list[ComplaintStep]] = relationship(back_populates="complaint", order_by="ComplaintStep.id")


class ComplaintStep(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """Each stage a complaint went through, with its dates (the procedure's history)."""

    __tablename__ = "complaint_steps"
    __table_args__ = (UniqueConstraint("complaint_id", "stage", name="uq_complaint_steps_stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    started_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    finished_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    complaint: Mapped[Complaint] = relationship(back_populates="steps")


class PolicyReview(TimestampMixin, AuditedMixin, db.Model):
    """The trust's adoption of the AP policy and when it is next reviewed (12.2: every two years, or sooner on a
    change in national legislation or statutory guidance). Trust-level: no school."""

    __tablename__ = "policy_reviews"
    __table_args__ = (UniqueConstraint("trust_id", "adopted_on", name="uq_policy_reviews_adopted"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"), index=True)
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    next_review_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # e.g. a change in statutory guidance brought it forward
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class PolicyMonitoring(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """The headteacher's monitoring of the policy's implementation in the school (12.1)."""

    __tablename__ = "policy_monitoring"

    id: Mapped[int] = mapped_column(primary_key=True)
    monitored_on: Mapped[dt.date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
