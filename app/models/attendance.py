"""Daily attendance at providers (issue 6; policy 4.5, 7.8, 9.6; KCSIE): each session a pupil is due somewhere
other than the school's own timetable, what happened, and the welfare checks that follow an unexplained absence.
Tenant-owned. The rules (which sessions, which register code, when to prompt) are app.policy.attendance.
"""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.placements import SessionOfDay
from app.models.types import StoredEnum, UTCDateTime
from app.policy.attendance import Outcome, SessionKind, WelfareCheckReason
from tenants import TenantScopedMixin


class ConfirmedVia(enum.StrEnum):
    """How the school learnt what happened (issue 6 item 2)."""

    CALL = "call"
    EMAIL = "email"
    PROVIDER = "provider"  # the provider told the school some other way (its own portal, a message)
    PROVIDER_LINK = "provider_link"  # the provider recorded it on AP Hub's link page
    PARENT = "parent"


class AttendanceSession(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """One session (AM or PM) a pupil is due at a provider on one school day, made from the placement's weekly
    pattern on the day (4.5, 7.8), and what happened. Kept once made: the pattern may change later, the record of
    what was expected that day does not. `register_code` is worked out by app.policy.attendance.register_code when
    the session is confirmed (and is fixed for C2/C kinds)."""

    __tablename__ = "attendance_sessions"
    __table_args__ = (
        UniqueConstraint("placement_id", "day", "session", name="uq_attendance_sessions_slot"),
        UniqueConstraint("flexi_agreement_id", "day", "session", name="uq_attendance_sessions_flexi_slot"),
        # A session a part-time timetable removes (C2) has no placement or provider (issue 15).
        UniqueConstraint("part_time_timetable_id", "day", "session", name="uq_attendance_sessions_part_time_slot"),
        Index("ix_attendance_sessions_school_day", "school_id", "day"),
        Index("ix_attendance_sessions_pupil_day", "school_id", "pupil_id", "day"),
        # Covers the half-term window of the attendance picture (school, days, then what it counts, and the
        # placement for a period's cost), so the trust and dashboard figures are read from the index alone (issue 18).
        Index("ix_attendance_sessions_figures", "school_id", "day", "pupil_id", "kind", "register_code", "placement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A provision session has its placement and provider; a flexi-schooling home session (section 10) has
    # neither, only its agreement.
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    flexi_agreement_id: Mapped[int | None] = mapped_column(ForeignKey("flexi_agreements.id"))
    part_time_timetable_id: Mapped[int | None] = mapped_column(ForeignKey("part_time_timetables.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    session: Mapped[SessionOfDay] = mapped_column(StoredEnum(SessionOfDay, 2))
    kind: Mapped[SessionKind] = mapped_column(StoredEnum(SessionKind, 30), default=SessionKind.PROVISION)
    starts_at: Mapped[dt.time] = mapped_column(Time)
    ends_at: Mapped[dt.time] = mapped_column(Time)
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the school's cut-off for this session (4.5)
    # What happened; None until confirmed.
    outcome: Mapped[Outcome | None] = mapped_column(StoredEnum(Outcome, 20))
    minutes_late: Mapped[int | None] = mapped_column()
    absence_reason: Mapped[str | None] = mapped_column(String(4))  # a code of ABSENCE_REASONS
    register_code: Mapped[str | None] = mapped_column(String(4))
    note: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: through a provider link
    confirmed_via: Mapped[ConfirmedVia | None] = mapped_column(StoredEnum(ConfirmedVia, 20))
    provider_link_id: Mapped[int | None] = mapped_column(ForeignKey("provider_attendance_links.id"))
    # What the cut-off sweep has done about it (so it does each thing once).
    prompted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    welfare_check_raised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    placement = relationship("Placement")
    pupil = relationship("Pupil")
    provider = relationship("Provider")
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ProviderAttendanceLink(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """A secure, expiring link a provider uses, with no account, to record today's attendance of this school's
    pupils there (issue 6 item 3). Only the SHA-256 of the token is stored; one provider, one school."""

    __tablename__ = "provider_attendance_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str | None] = mapped_column(String(12))  # the token's first characters, to tell links apart
    label: Mapped[str | None] = mapped_column(String(200))  # who it was sent to, e.g. the provider's office
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    use_count: Mapped[int] = mapped_column(default=0)

    provider = relationship("Provider")
    created_by = relationship("User", foreign_keys=[created_by_id])


class WelfareCheckMethod(enum.StrEnum):
    CALL = "call"
    ONLINE_MEETING = "online_meeting"
    HOME_VISIT = "home_visit"


class WelfareCheckOutcome(enum.StrEnum):
    SEEN_AND_SAFE = "seen_and_safe"
    REASON_OBTAINED = "reason_obtained"
    NOT_LOCATED = "not_located"  # the DSL's missing-child procedure; the trust safeguarding lead is told


class WelfareCheck(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A check on a pupil's welfare after an unconfirmed session or an absence without a reason (KCSIE, 4.4, 4.5):
    raised by the cut-off sweep (or by hand), recorded by the DSL."""

    __tablename__ = "welfare_checks"
    __table_args__ = (
        Index("ix_welfare_checks_open", "school_id", "recorded_at"),
        # One open check per session, whatever races: two cut-off sweeps at once insert one, the other skips
        # (app.services.welfare_checks). Partial, so a recorded or archived check never blocks anything.
        Index("uq_welfare_checks_open_session", "attendance_session_id", unique=True,
              sqlite_where=text("recorded_at IS NULL AND archived_at IS NULL"),
              postgresql_where=text("recorded_at IS NULL AND archived_at IS NULL")),
        # One check a school day with no on-site session under a part-time timetable (9.6).
        UniqueConstraint("part_time_timetable_id", "due_on", name="uq_welfare_checks_part_time_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    attendance_session_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_sessions.id"), index=True)
    part_time_timetable_id: Mapped[int | None] = mapped_column(ForeignKey("part_time_timetables.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # the school day a part-time timetable's check is for
    reason: Mapped[WelfareCheckReason | None] = mapped_column(StoredEnum(WelfareCheckReason, 30))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The check, once made; None until then.
    method: Mapped[WelfareCheckMethod | None] = mapped_column(StoredEnum(WelfareCheckMethod, 20))
    outcome: Mapped[WelfareCheckOutcome | None] = mapped_column(StoredEnum(WelfareCheckOutcome, 20))
    notes: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the check was made
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "Not located": when the missing-child procedure started and the trust safeguarding lead was told.
    missing_procedure_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trust_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    pupil = relationship("Pupil")
    attendance_session = relationship("AttendanceSession")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None
