"""Pupils and what precedes a placement: referral and needs analysis (4.3, 5.2, 7.3), the individual risk
assessment (4.3), parents/carers consulted (7.4), LA / VSH / social worker involvement (7.5, 7.6), continued
belonging (5.4) and event risk (5.5). All tenant-owned: a pupil belongs to one school."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, ArchiveReasonMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum
from tenants import TenantScopedMixin


class Pupil(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "pupils"
    __table_args__ = (UniqueConstraint("school_id", "upn", name="uq_pupils_school_upn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    upn: Mapped[str] = mapped_column(String(13))  # unique pupil number
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    year_group: Mapped[int] = mapped_column()  # 0 = Reception, 1..13; -1 = Nursery
    has_ehcp: Mapped[bool] = mapped_column(default=False)
    sen_support: Mapped[bool] = mapped_column(default=False)
    is_looked_after: Mapped[bool] = mapped_column(default=False)
    has_social_worker: Mapped[bool] = mapped_column(default=False)
    social_worker_name: Mapped[str | None] = mapped_column(String(200))
    social_worker_email: Mapped[str | None] = mapped_column(String(254))
    social_worker_phone: Mapped[str | None] = mapped_column(String(40))
    fsm_eligible: Mapped[bool] = mapped_column(default=False)
    medical_needs: Mapped[str | None] = mapped_column(Text)
    # The LA responsible for the EHCP or the care placement, when it is not the school's own LA.
    responsible_local_authority_id: Mapped[int | None] = mapped_column(ForeignKey("local_authorities.id"))

    carers: Mapped[list[Carer]] = relationship(back_populates="pupil", order_by="Carer.id")
    responsible_local_authority = relationship("LocalAuthority")

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return self.initials_of(self.first_name, self.last_name)

    @staticmethod
    def initials_of(first_name: str, last_name: str) -> str:
        """The initials shown where no pupil is named (part-time counts): also from names read as plain rows."""
        return f"{first_name[:1]}{last_name[:1]}".upper()


class Carer(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """A parent or carer. `lives_with` marks who the pupil normally lives with (9.6, part-time timetables)."""

    __tablename__ = "carers"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_pupil: Mapped[str | None] = mapped_column(String(60))
    lives_with: Mapped[bool] = mapped_column(default=True)
    has_parental_responsibility: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(500))

    pupil: Mapped[Pupil] = relationship(back_populates="carers")


class Referral(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """The needs analysis before commissioning (4.3, 7.3): needs, the reasons (5.2), the options considered."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    academic_needs: Mapped[str] = mapped_column(Text)
    personal_needs: Mapped[str] = mapped_column(Text)
    social_needs: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # codes from app.policy.referral (5.2)
    options_considered: Mapped[str] = mapped_column(Text)
    on_site_options_considered: Mapped[str | None] = mapped_column(Text)  # on-site first (5.3, 7.3)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_on: Mapped[dt.date] = mapped_column(Date)

    pupil: Mapped[Pupil] = relationship()


class PupilRiskAssessment(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """The individual pupil risk assessment, completed before a placement starts and reviewed regularly (4.3).
    A review is a new row pointing at the one it reviews."""

    __tablename__ = "pupil_risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    reviews_id: Mapped[int | None] = mapped_column(ForeignKey("pupil_risk_assessments.id"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    risks: Mapped[str] = mapped_column(Text)
    control_measures: Mapped[str] = mapped_column(Text)
    review_due_on: Mapped[dt.date] = mapped_column(Date)

    pupil: Mapped[Pupil] = relationship()


class ParentConsultation(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    """Parents/carers consulted on the choice of provision (7.4); the decision rests with the school."""

    __tablename__ = "parent_consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    carer_id: Mapped[int | None] = mapped_column(ForeignKey("carers.id"))
    consulted_on: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40))  # meeting, phone call, online meeting, letter
    carer_views: Mapped[str] = mapped_column(Text)
    school_decision: Mapped[str] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class InvolvementParty(enum.StrEnum):
    LOCAL_AUTHORITY_SEND = "local_authority_send"  # EHCP (7.5)
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"  # looked after (7.6)
    SOCIAL_WORKER = "social_worker"  # looked after (7.6), social worker (9.6, 8.8)


class Involvement(TenantScopedMixin, TimestampMixin, ArchivableMixin, ArchiveReasonMixin, AuditedMixin, db.Model):
    __tablename__ = "involvements"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"), index=True)
    # Involvement in a part-time timetable (9.6) rather than a placement.
    part_time_timetable_id: Mapped[int | None] = mapped_column(ForeignKey("part_time_timetables.id"), index=True)
    party: Mapped[InvolvementParty] = mapped_column(StoredEnum(InvolvementParty, 30))
    person_name: Mapped[str] = mapped_column(String(200))
    involved_on: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    # EHCP (7.5): whether a formal review is needed so the named setting can change.
    ehcp_review_needed: Mapped[bool | None] = mapped_column()
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class BelongingAction(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """Steps that keep a pupil in AP part of the school community (5.4)."""

    __tablename__ = "belonging_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # visit, invitation, newsletter, reward, contact, resources...
    on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class EventRiskAssessment(TenantScopedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """The risk of a pupil joining a school event or meeting other pupils (5.5); for an off-site direction it
    considers the circumstances that led to it and anything since."""

    __tablename__ = "event_risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    event_name: Mapped[str] = mapped_column(String(200))
    event_on: Mapped[dt.date] = mapped_column(Date)
    assessment: Mapped[str] = mapped_column(Text)
    direction_circumstances_considered: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(40))  # may attend, may attend with measures, may not attend
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
