"""The trust, its schools (the tenants) and their local authorities."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.mixins import ArchivableMixin, AuditedMixin, TimestampMixin
from app.models.types import StoredEnum


class Trust(TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "trusts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))
    website: Mapped[str | None] = mapped_column(String(300))

    schools: Mapped[list[School]] = relationship(back_populates="trust", order_by="School.name")

    def __str__(self) -> str:
        return self.name


class LocalAuthority(TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "local_authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str | None] = mapped_column(String(10))  # DfE LA code, e.g. 831

    contacts: Mapped[list[LAContact]] = relationship(
        back_populates="local_authority", order_by="LAContact.kind", cascade="all, delete-orphan"
    )

    def contact(self, kind: LAContactKind) -> LAContact | None:
        return next((c for c in self.contacts if c.kind == kind and not c.is_archived), None)

    def __str__(self) -> str:
        return self.name


class LAContactKind(enum.StrEnum):
    """The LA contacts the policy's key contacts page and sections 7.5, 7.6, 7.12 and 8.8 need."""

    APPROVED_PROVIDER_LIST = "approved_provider_list"  # approved provider list / in-year fair access
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
    AP_NOTIFICATIONS = "ap_notifications"  # where notices of new AP placements go (7.12)
    SEND = "send"  # SEND / EHCP casework (7.5, 8.8)

    @property
    def label(self) -> str:
        return {
            "approved_provider_list": "Local Authority Approved Provider List / In-Year Fair Access",
            "virtual_school_head": "Virtual School Headteacher",
            "ap_notifications": "Alternative provision notifications",
            "send": "SEND team (EHCP)",
        }[self.value]


class LAContact(TimestampMixin, ArchivableMixin, AuditedMixin, db.Model):
    __tablename__ = "la_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    kind: Mapped[LAContactKind] = mapped_column(StoredEnum(LAContactKind, 40))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))

    local_authority: Mapped[LocalAuthority] = relationship(back_populates="contacts")

    def __str__(self) -> str:
        return f"{self.kind.label}: {self.name}"


class SchoolPhase(enum.StrEnum):
    INFANT = "infant"
    JUNIOR = "junior"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"


class School(TimestampMixin, AuditedMixin, db.Model):
    """A school of the trust: the tenant. Its own row is trust-owned; what it holds carries its id."""

    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("slug"), UniqueConstraint("urn"))

    id: Mapped[int] = mapped_column(primary_key=True)
    trust_id: Mapped[int] = mapped_column(ForeignKey("trusts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(60))
    urn: Mapped[str] = mapped_column(String(10))  # DfE unique reference number
    phase: Mapped[SchoolPhase] = mapped_column(StoredEnum(SchoolPhase, 20))
    local_authority_id: Mapped[int] = mapped_column(ForeignKey("local_authorities.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    # How long after a session's start the school expects the provider's confirmation (4.5).
    attendance_cutoff_minutes: Mapped[int] = mapped_column(default=30)
    is_active: Mapped[bool] = mapped_column(default=True)

    trust: Mapped[Trust] = relationship(back_populates="schools")
    local_authority: Mapped[LocalAuthority] = relationship()

    def __str__(self) -> str:
        return self.name
