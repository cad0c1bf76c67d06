"""Part-time timetables (issue 15; policy section 9): the timetable, its weekly pattern, its reviews, and each
local authority's procedure for reporting them (9.7). Tenant-owned except the LA's procedure (trust data).
The rules are app.policy.part_time_timetables.
"""
from __future__ import annotations

import datetime as dt
from datetime import datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.placements import SessionOfDay
from app.models.types import StoredEnum, UTCDateTime
from app.policy.part_time_timetables import (
    Arrangement,
    ReturnFrequency,
    ReviewDecision,
    TimetableEntry,
    TimetableStatus,
)
from tenants import TenantScopedMixin


class PartTimeTimetable(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A temporary part-time timetable for one pupil (9.3-9.7): proposed by any staff member, agreed with the
    parent or carer the pupil normally lives with, approved by the headteacher, reviewed, then ended with a
    return to full time."""

    __tablename__ = "part_time_timetables"
    __table_args__ = (Index("ix_part_time_timetables_school_status", "school_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    status: Mapped[TimetableStatus] = mapped_column(StoredEnum(TimetableStatus, 20), default=TimetableStatus.PROPOSED)
    reason_category: Mapped[str] = mapped_column(String(40))  # a code of app.policy REASON_CATEGORIES
    reason_details: Mapped[str] = mapped_column(Text)
    support_plan: Mapped[str] = mapped_column(Text)  # the wider support plan it is part of (9.6)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # the planned return to full time; moved only by an extension
    original_end_date: Mapped[dt.date] = mapped_column(Date)
    review_dates: Mapped[list] = mapped_column(JSON, default=list)  # ISO dates
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who makes the welfare checks on days with no on-site session (9.6); None: the DSL.
    welfare_contact_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The parent's or carer's agreement (9.6): who, when, how.
    agreed_by_carer_id: Mapped[int | None] = mapped_column(ForeignKey("carers.id"))
    agreed_by_name: Mapped[str | None] = mapped_column(String(200))
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    agreed_how: Mapped[str | None] = mapped_column(String(60))
    agreement_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The headteacher's approval (9.5).
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The return to full time (or withdrawal before approval).
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_note: Mapped[str | None] = mapped_column(Text)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    six_week_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pupil = relationship("Pupil")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    welfare_contact = relationship("User", foreign_keys=[welfare_contact_id])
    agreed_by_carer = relationship("Carer")
    sessions: Mapped[list[PartTimeTimetableSession]] = relationship(
        back_populates="timetable", order_by="(PartTimeTimetableSession.weekday, PartTimeTimetableSession.session)",
        cascade="all, delete-orphan")
    reviews: Mapped[list[PartTimeTimetableReview]] = relationship(
        back_populates="timetable", order_by="PartTimeTimetableReview.held_on")

    @property
    def entries(self) -> list[TimetableEntry]:
        return [s.entry for s in self.sessions]

    @property
    def parent_agreed(self) -> bool:
        return self.agreed_on is not None

    @property
    def review_days(self) -> list[dt.date]:
        return [dt.date.fromisoformat(d) for d in self.review_dates or []]


class PartTimeTimetableSession(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """One AM or PM session of the pupil's week under the timetable: on site, at a provider through an existing
    placement, or not in education (C2)."""

    __tablename__ = "part_time_timetable_sessions"
    __table_args__ = (UniqueConstraint("timetable_id", "weekday", "session", name="uq_part_time_sessions_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("part_time_timetables.id"), index=True)
    weekday: Mapped[int] = mapped_column()  # 0 = Monday ... 4 = Friday
    session: Mapped[SessionOfDay] = mapped_column(StoredEnum(SessionOfDay, 2))
    arrangement: Mapped[Arrangement] = mapped_column(StoredEnum(Arrangement, 20))
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)

    timetable: Mapped[PartTimeTimetable] = relationship(back_populates="sessions")
    placement = relationship("Placement")

    @property
    def entry(self) -> TimetableEntry:
        return TimetableEntry(self.weekday, self.session.value, self.arrangement, self.starts_at, self.ends_at,
                              self.placement_id)


class PartTimeTimetableReview(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A review of the timetable (9.6) with the pupil's and the parents' views and the decision; an extension is
    made only here, with reasons."""

    __tablename__ = "part_time_timetable_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    timetable_id: Mapped[int] = mapped_column(ForeignKey("part_time_timetables.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    pupil_views: Mapped[str] = mapped_column(Text)
    parent_views: Mapped[str] = mapped_column(Text)
    decision: Mapped[ReviewDecision] = mapped_column(StoredEnum(ReviewDecision, 30))
    changes: Mapped[str | None] = mapped_column(Text)
    extended_to: Mapped[dt.date | None] = mapped_column(Date)
    extension_reasons: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    timetable: Mapped[PartTimeTimetable] = relationship(back_populates="reviews")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class LAReportingProcedure(TimestampMixin, AuditedMixin, db.Model):
    """How one local authority wants the use of adjusted timetables reported (9.7): notices on start, change
    and/or end (`notify_on`), and/or a scheduled return of all current timetables. Trust data (the designated
    trustee keeps it); every school in that LA follows it."""

    __tablename__ = "la_reporting_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), unique=True)
    notify_on: Mapped[list] = mapped_column(JSON, default=list)  # NoticeEvent values
    return_frequency: Mapped[ReturnFrequency] = mapped_column(StoredEnum(ReturnFrequency, 20),
                                                              default=ReturnFrequency.NONE)
    notes: Mapped[str | None] = mapped_column(Text)

    local_authority = relationship("LocalAuthority")
