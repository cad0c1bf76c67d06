"""Commissioned placements (7.3-7.12), their agreement (7.11), weekly pattern, off-site direction (section 6)
and their end (8.7). Tenant-owned."""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import TenantScopedMixin


class PlacementStatus(enum.StrEnum):
    PLANNED = "planned"  # being commissioned: the readiness gate says what is missing
    ACTIVE = "active"
    ENDED = "ended"
    CANCELLED = "cancelled"  # never started


class ArrangedBy(enum.StrEnum):
    """Who arranged the provision decides the register code when the pupil attends (attendance-codes.md)."""

    SCHOOL = "school"  # B
    LOCAL_AUTHORITY = "local_authority"  # K
    DUAL_REGISTRATION = "dual_registration"  # D: the other school where the pupil is also registered


class Placement(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    provider_site_id: Mapped[int | None] = mapped_column(ForeignKey("provider_sites.id"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    status: Mapped[PlacementStatus] = mapped_column(StoredEnum(PlacementStatus, 20), default=PlacementStatus.PLANNED,
                                                   index=True)
    arranged_by: Mapped[ArrangedBy] = mapped_column(StoredEnum(ArrangedBy, 20), default=ArrangedBy.SCHOOL)
    is_off_site_direction: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    planned_end_date: Mapped[dt.date | None] = mapped_column(Date)
    online_justification: Mapped[str | None] = mapped_column(Text)  # 7.3: no appropriate alternative
    # The school census's primary reason, when the school chose it (app.policy.census_placements).
    census_reason: Mapped[str | None] = mapped_column(String(3))
    key_information_shared_on: Mapped[dt.date | None] = mapped_column(Date)  # 7.10, SEN included
    key_information_shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_information_note: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The end (8.7): progress, achievements, destination and the pupil's own assessment.
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_progress: Mapped[str | None] = mapped_column(Text)
    end_achievements: Mapped[str | None] = mapped_column(Text)
    end_destination: Mapped[str | None] = mapped_column(String(200))
    end_pupil_assessment: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    pupil = relationship("Pupil")
    provider = relationship("Provider")
    agreement: Mapped[PlacementAgreement | None] = relationship(back_populates="placement", uselist=False)
    weekly_sessions: Mapped[list[WeeklySession]] = relationship(
        back_populates="placement", order_by="(WeeklySession.weekday, WeeklySession.session)")
    off_site_direction: Mapped[OffSiteDirection | None] = relationship(back_populates="placement", uselist=False)


class CostUnit(enum.StrEnum):
    SESSION = "session"
    DAY = "day"
    WEEK = "week"
    TERM = "term"
    PLACEMENT = "placement"


class PlacementAgreement(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """The commissioning agreement / SLA between school and provider (7.11)."""

    __tablename__ = "placement_agreements"
    __table_args__ = (UniqueConstraint("placement_id", name="uq_placement_agreements_placement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"))
    aims_and_outcomes: Mapped[str | None] = mapped_column(Text)
    curriculum_and_qualifications: Mapped[str | None] = mapped_column(Text)
    personal_development: Mapped[str | None] = mapped_column(Text)
    careers_guidance: Mapped[str | None] = mapped_column(Text)
    induction: Mapped[str | None] = mapped_column(Text)
    pastoral_arrangements: Mapped[str | None] = mapped_column(Text)
    attendance_arrangements: Mapped[str | None] = mapped_column(Text)
    safeguarding_arrangements: Mapped[str | None] = mapped_column(Text)  # incl. safer recruitment
    free_school_meals_arrangements: Mapped[str | None] = mapped_column(Text)  # required when eligible
    exam_arrangements: Mapped[str | None] = mapped_column(Text)  # "if appropriate"
    communication_arrangements: Mapped[str | None] = mapped_column(Text)
    cost_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    cost_unit: Mapped[CostUnit | None] = mapped_column(StoredEnum(CostUnit, 20))
    review_arrangements: Mapped[str | None] = mapped_column(Text)  # how and with whom
    review_every_weeks: Mapped[int | None] = mapped_column()  # at most a half term (8.3)
    qa_visit_every_weeks: Mapped[int | None] = mapped_column()  # 8.1, 8.3
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)

    placement: Mapped[Placement] = relationship(back_populates="agreement")


class SessionOfDay(enum.StrEnum):
    AM = "am"
    PM = "pm"


class WeeklySession(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """One AM or PM session a week at the provider: the pattern expected sessions are made from (4.5)."""

    __tablename__ = "weekly_sessions"
    __table_args__ = (UniqueConstraint("placement_id", "weekday", "session", name="uq_weekly_sessions_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"), index=True)
    weekday: Mapped[int] = mapped_column()  # 0 = Monday ... 4 = Friday
    session: Mapped[SessionOfDay] = mapped_column(StoredEnum(SessionOfDay, 2))
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)

    placement: Mapped[Placement] = relationship(back_populates="weekly_sessions")

    @property
    def hours(self) -> float:
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_at.hour * 60 + self.ends_at.minute
        return max(0, end - start) / 60


class OffSiteDirection(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A placement the governing body directs to improve behaviour (section 6)."""

    __tablename__ = "off_site_directions"
    __table_args__ = (UniqueConstraint("placement_id", name="uq_off_site_directions_placement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placements.id"))
    reasons_and_objectives: Mapped[str] = mapped_column(Text)
    governing_body_approved_on: Mapped[dt.date | None] = mapped_column(Date)  # 6.4
    governing_body_approval_reference: Mapped[str | None] = mapped_column(String(200))  # minute, meeting
    approval_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_on: Mapped[dt.date] = mapped_column(Date)  # time-limited, with a review (6.2)
    ends_by: Mapped[dt.date] = mapped_column(Date)  # the maximum period agreed at planning
    report_to: Mapped[str | None] = mapped_column(String(200))  # who the pupil reports to on arrival
    parents_letter_sent_on: Mapped[dt.date | None] = mapped_column(Date)  # 6.5, >= 2 school days before start
    parents_letter_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    placement: Mapped[Placement] = relationship(back_populates="off_site_direction")
