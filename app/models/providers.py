"""The trust's shared provider register and its due diligence (policy 7.1-7.9).

The register is trust-owned: one school's checks, risk assessments and concerns are visible to every school
(due diligence done once). Each check, assessment and concern names the school that made it
(`made_by_school_id`) — that is attribution, not ownership, so these are not tenant-scoped.
"""
from __future__ import annotations

import datetime as dt
import enum
from datetime import datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum, UTCDateTime
from tenants import SharedOrSchoolOwnedMixin


class ProviderKind(enum.StrEnum):
    ON_SITE = "on_site"  # e.g. a school's own inclusion room (the policy's "Hive")
    OFF_SITE = "off_site"
    ONLINE_ONLY = "online_only"


class RegistrationStatus(enum.StrEnum):
    REGISTERED_INDEPENDENT_SCHOOL = "registered_independent_school"  # with an Ofsted URN
    OTHER_REGISTERED = "other_registered"  # a college, another school, a registered setting
    UNREGISTERED = "unregistered"


class Provider(SharedOrSchoolOwnedMixin, TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[ProviderKind] = mapped_column(StoredEnum(ProviderKind, 20))
    registration_status: Mapped[RegistrationStatus] = mapped_column(StoredEnum(RegistrationStatus, 40))
    ofsted_urn: Mapped[str | None] = mapped_column(String(20))
    # School census AP placements (app.policy.census_codes): the UKPRN, else the AP setting type, where the
    # provider has no URN.
    ukprn: Mapped[str | None] = mapped_column(String(8))
    ap_setting_type: Mapped[str | None] = mapped_column(String(3))
    # On-site provision belongs to one school; other providers serve the whole trust.
    owning_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    # The school that added it to the register: only it may make it its own on-site provision (issue 13).
    created_by_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    website: Mapped[str | None] = mapped_column(String(300))
    social_media: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    latest_report_date: Mapped[dt.date | None] = mapped_column(Date)
    latest_report_judgement: Mapped[str | None] = mapped_column(String(100))
    latest_report_by: Mapped[str | None] = mapped_column(String(100))  # Ofsted, the LA, ...
    latest_report_url: Mapped[str | None] = mapped_column(String(500))
    on_la_approved_list: Mapped[bool] = mapped_column(default=False)
    approved_list_local_authority_id: Mapped[int | None] = mapped_column(ForeignKey("local_authorities.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    # Vetting lapses at once on a material change (7.9) until a new risk assessment is approved.
    material_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    material_change_note: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # Policy 7.2's verdict across the trust, stored so the register need not recount every school's placements
    # on each view (issue 18): the two counts the rule judges (app.policy.registration.assessment_of_counts) and
    # the day they were counted (the pupils' ages are judged on it). Kept current by
    # app.services.registration_verdicts as placements, weekly patterns, pupils and the provider change, and each
    # morning; empty while the rule does not apply (a registered provider) or before the first count.
    registration_full_time_count: Mapped[int | None] = mapped_column(Integer)
    registration_one_pupil_count: Mapped[int | None] = mapped_column(Integer)
    registration_counted_on: Mapped[dt.date | None] = mapped_column(Date)
    # A recount is nobody's edit of the provider: the trail records the changes that caused it.
    __audit_exclude__ = ("registration_full_time_count", "registration_one_pupil_count", "registration_counted_on")

    sites: Mapped[list[ProviderSite]] = relationship(back_populates="provider", order_by="ProviderSite.id")
    contacts: Mapped[list[ProviderContact]] = relationship(back_populates="provider", order_by="ProviderContact.id")

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def __str__(self) -> str:
        return self.name


class ProviderSite(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """An address where pupils are taught."""

    __tablename__ = "provider_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    postcode: Mapped[str | None] = mapped_column(String(10))

    provider: Mapped[Provider] = relationship(back_populates="sites")


class ProviderContact(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "provider_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))  # e.g. "Designated safeguarding lead", "Attendance"
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))

    provider: Mapped[Provider] = relationship(back_populates="contacts")


class CheckStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class ProviderCheck(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """One round of pre-placement checks (7.8); its items are ProviderCheckItem rows, one per policy item."""

    __tablename__ = "provider_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    made_by_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[CheckStatus] = mapped_column(StoredEnum(CheckStatus, 20), default=CheckStatus.IN_PROGRESS)

    provider: Mapped[Provider] = relationship()
    items: Mapped[list[ProviderCheckItem]] = relationship(back_populates="check", order_by="ProviderCheckItem.id")


class CheckOutcome(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


class ProviderCheckItem(TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "provider_check_items"
    __table_args__ = (UniqueConstraint("check_id", "item", name="uq_provider_check_items_check_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("provider_checks.id"), index=True)
    item: Mapped[str] = mapped_column(String(60))  # a code from app.policy.provider_checks
    outcome: Mapped[CheckOutcome | None] = mapped_column(StoredEnum(CheckOutcome, 20))
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_on: Mapped[dt.date | None] = mapped_column(Date)

    check: Mapped[ProviderCheck] = relationship(back_populates="items")


class RiskRating(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ProviderRiskAssessment(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """The provider risk assessment made from a complete check (7.8), approved by an AP leader. The provider
    is vetted for 12 months from approval, or until a material change (7.9)."""

    __tablename__ = "provider_risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("provider_checks.id"))
    made_by_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    rating: Mapped[RiskRating] = mapped_column(StoredEnum(RiskRating, 10))
    risks: Mapped[str | None] = mapped_column(Text)
    mitigations: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    provider: Mapped[Provider] = relationship()
    check: Mapped[ProviderCheck] = relationship()


class ConcernSeverity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ProviderConcern(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A concern about a provider, raised by one school and seen by every school using the provider and by
    the trust safeguarding lead."""

    __tablename__ = "provider_concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    made_by_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(60))  # safeguarding, attendance, quality of education, ...
    severity: Mapped[ConcernSeverity] = mapped_column(StoredEnum(ConcernSeverity, 10))
    details: Mapped[str] = mapped_column(Text)
    status: Mapped[ConcernStatus] = mapped_column(StoredEnum(ConcernStatus, 10), default=ConcernStatus.OPEN)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    provider: Mapped[Provider] = relationship()


class ProviderEvidenceFile(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    """A file of evidence for the shared register (a check item, a report), visible to every school like the
    register itself. Stored outside the web root under a random name and served only through a
    permission-checked view. Pupils' documents are tenant-owned and kept elsewhere."""

    __tablename__ = "provider_evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    check_item_id: Mapped[int | None] = mapped_column(ForeignKey("provider_check_items.id"), index=True)
    uploaded_by_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    original_name: Mapped[str] = mapped_column(String(255))  # sanitised
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
