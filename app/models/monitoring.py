"""Monitoring placements (issue 7; policy section 8): half-termly reviews, quality-assurance visits and other QA
activities, their follow-up actions, the pupil's progress and voice, and each person's calendar feed.
The rules (when due, who is told) are app.policy.reviews.
"""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, ArchiveReasonMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class PlacementReview(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """A formal review of a placement with the pupil and their parents (8.2, 8.3). `dedupe_key` is the
    obligation it meets (app.policy.reviews.ReviewObligation.dedupe_key), None for an extra review."""

    __tablename__ = "placement_reviews"
    __table_args__ = (
        UniqueConstraint("school_id", "dedupe_key", name="uq_placement_reviews_school_dedupe_key"),
        Index("ix_placement_reviews_placement_held", "school_id", "placement_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[dt.date] = mapped_column(Date)
    # Who attended (8.2): the pupil, parents/carers, provider, school, LA/VSH/social worker where relevant.
    pupil_attended: Mapped[bool] = mapped_column(default=False)
    parents_attended: Mapped[bool] = mapped_column(default=False)
    provider_attended: Mapped[bool] = mapped_column(default=False)
    school_attended: Mapped[bool] = mapped_column(default=True)
    local_authority_attended: Mapped[bool] = mapped_column(default=False)
    virtual_school_attended: Mapped[bool] = mapped_column(default=False)
    social_worker_attended: Mapped[bool] = mapped_column(default=False)
    attendees_note: Mapped[str | None] = mapped_column(Text)  # names and roles
    # Attendance since the last review, from the attendance records, as it stood when the review was held.
    attendance_from: Mapped[dt.date | None] = mapped_column(Date)
    attendance_percentage: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    attendance_note: Mapped[str | None] = mapped_column(Text)
    progress_against_aims: Mapped[str] = mapped_column(Text)
    pupil_views: Mapped[str] = mapped_column(Text)
    parents_views: Mapped[str] = mapped_column(Text)
    changes_agreed: Mapped[str | None] = mapped_column(Text)
    reintegration_steps: Mapped[str | None] = mapped_column(Text)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)
    risk_assessment_reviewed: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    information_shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 8.8, through the outbox

    placement = relationship("Placement")
    pupil = relationship("Pupil")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class QAActivityKind(enum.StrEnum):
    """8.4: a quality-assurance visit to the provider; 8.5: the other ways the school checks on the provision."""

    PROVIDER_VISIT = "provider_visit"
    HOME_VISIT = "home_visit"
    CALL = "call"
    ONLINE_MEETING = "online_meeting"


class QAActivity(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """A quality-assurance visit to a provider (8.1, 8.4) or another QA activity with the pupil (8.5), and what
    it found (8.6). The provider is on the shared register; the visit is the school's."""

    __tablename__ = "qa_activities"
    __table_args__ = (Index("ix_qa_activities_provider_held", "school_id", "provider_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    kind: Mapped[QAActivityKind] = mapped_column(StoredEnum(QAActivityKind, 20), default=QAActivityKind.PROVIDER_VISIT)
    held_on: Mapped[dt.date] = mapped_column(Date)
    # 8.4: what a visit covers.
    staff_spoken_with: Mapped[str | None] = mapped_column(Text)
    pupils_spoken_with: Mapped[str | None] = mapped_column(Text)
    parents_spoken_with: Mapped[str | None] = mapped_column(Text)  # if possible
    work_reviewed: Mapped[str | None] = mapped_column(Text)
    lessons_observed: Mapped[str | None] = mapped_column(Text)
    unstructured_time_observed: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text)
    serious_finding: Mapped[bool] = mapped_column(default=False)
    provider_concern_id: Mapped[int | None] = mapped_column(ForeignKey("provider_concerns.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    provider = relationship("Provider")
    placement = relationship("Placement")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    follow_up_actions: Mapped[list[FollowUpAction]] = relationship(
        back_populates="qa_activity", order_by="FollowUpAction.due_on")


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUpAction(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """An action agreed after a QA activity or a review (8.6): an owner, a due date and a status."""

    __tablename__ = "follow_up_actions"
    __table_args__ = (Index("ix_follow_up_actions_open_due", "school_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    qa_activity_id: Mapped[int | None] = mapped_column(ForeignKey("qa_activities.id"), index=True)
    placement_review_id: Mapped[int | None] = mapped_column(ForeignKey("placement_reviews.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[FollowUpStatus] = mapped_column(StoredEnum(FollowUpStatus, 20), default=FollowUpStatus.OPEN)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    qa_activity: Mapped[QAActivity | None] = relationship(back_populates="follow_up_actions")
    placement_review = relationship("PlacementReview")
    owner = relationship("User", foreign_keys=[owner_id])


class ProgressKind(enum.StrEnum):
    PROGRESS = "progress"
    ACHIEVEMENT = "achievement"
    PUPIL_ASSESSMENT = "pupil_assessment"  # the pupil's own assessment of the provision (8.7)


class PupilProgressEntry(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """Progress and achievements recorded over time, and the pupil's own voice (8.7), on the pupil's timeline."""

    __tablename__ = "pupil_progress_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    kind: Mapped[ProgressKind] = mapped_column(StoredEnum(ProgressKind, 20))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    pupil = relationship("Pupil")
    placement = relationship("Placement")


class CalendarFeed(TimestampMixin, AuditedMixin, db.Model):
    """A person's private iCalendar feed of their reviews and visits, across their schools (issue 7 item 7).
    Only the SHA-256 of the URL's token is stored; revoking it (or making a new one) ends the old URL."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
