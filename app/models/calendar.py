"""Each school's own term dates (academies set their own): half-terms and training (INSET) days."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.mixins import AuditedMixin, TimestampMixin
from app.models.types import StoredEnum
from tenants import TenantScopedMixin


class Term(enum.StrEnum):
    AUTUMN = "autumn"
    SPRING = "spring"
    SUMMER = "summer"


class HalfTerm(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    __tablename__ = "half_terms"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", "term", "part", name="uq_half_terms_school_year_term_part"),
        CheckConstraint("last_day >= first_day", name="ends_after_start"),
        CheckConstraint("part IN (1, 2)", name="part_is_1_or_2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    academic_year: Mapped[int] = mapped_column()  # the calendar year it starts in: 2025 for 2025-26
    term: Mapped[Term] = mapped_column(StoredEnum(Term, 10))
    part: Mapped[int] = mapped_column()  # 1 or 2
    first_day: Mapped[dt.date] = mapped_column(index=True)
    last_day: Mapped[dt.date] = mapped_column(index=True)

    @property
    def name(self) -> str:
        return f"{self.term.value.title()} {self.part}"

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}-{(self.academic_year + 1) % 100:02d}"

    def __str__(self) -> str:
        return f"{self.name} {self.academic_year_label}"


class TrainingDay(TenantScopedMixin, TimestampMixin, AuditedMixin, db.Model):
    """A school day inside a half-term on which pupils are not taught (INSET)."""

    __tablename__ = "training_days"
    __table_args__ = (UniqueConstraint("school_id", "day", name="uq_training_days_school_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(200))
