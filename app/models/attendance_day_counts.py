"""The roll-up of attendance (issue 16's trends, issue 18): how many sessions each school had on each past day, by
kind, register code and who arranged the provision. Derived data, rebuilt from app.models.attendance by a
periodic job; never the record itself. Tenant-owned.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from tenants import TenantScopedMixin


class AttendanceDayCount(TenantScopedMixin, db.Model):
    """One count of a school's sessions on one day, or (kind None, sessions 0) the mark that the day is rolled
    up: its figures are read from here, not counted live. Removed in the transaction of any change to that day's
    sessions (app.services.attendance_day_counts), so a row is never stale."""

    __tablename__ = "attendance_day_counts"
    __table_args__ = (Index("ix_attendance_day_counts_school_day", "school_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str | None] = mapped_column(String(30))
    register_code: Mapped[str | None] = mapped_column(String(4))
    arranged_by: Mapped[str | None] = mapped_column(String(20))
    sessions: Mapped[int] = mapped_column(default=0)
