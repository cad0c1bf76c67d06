"""The school home page by role (issue 16 item 3): what each person must do first, from their permissions.

- the DSL (welfare checks recorded): pupils not located, then open welfare checks, overdue first (KCSIE; 4.4);
- the attendance officer (attendance recorded): today's sessions still to confirm, past the cut-off first (4.5);
- the AP leader (placements commissioned): what is missing before planned placements can start, and overdue
  reviews and QA visits (4.3, 7.8-7.12, 8.1, 8.3);
- the headteacher (reports produced): approvals waiting (off-site directions, 6.4) and the school's figures this
  term (4.2).

Each block is asked for only when the viewer holds the permission that block's records need (design invariant 8).
Runs in the school's scope.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.models import OffSiteDirection, Placement, PlacementStatus
from app.models.attendance import AttendanceSession, WelfareCheck, WelfareCheckOutcome
from app.models.tasks import Task, TaskStatus
from app.permissions import Permission
from app.policy.attendance import SessionKind
from app.policy.oversight_thresholds import welfare_check_overdue
from app.services.ap_report import report_data, terms_of
from app.services.calendar import calendar_for_school
from app.services.placements import placement_readiness


@dataclass
class Home:
    not_located: list[WelfareCheck] | None = None
    open_checks: list[tuple[WelfareCheck, bool]] | None = None  # (check, overdue)
    to_confirm: list[tuple[AttendanceSession, bool]] | None = None  # (session, past its cut-off)
    not_ready: list[tuple[Placement, list]] | None = None  # (planned placement, what is missing)
    overdue_tasks: list[Task] | None = None
    approvals: list[OffSiteDirection] | None = None
    figures: object | None = None  # app.services.ap_report.ReportData for the term so far
    order: list[str] = field(default_factory=list)  # the blocks in the order the page shows them

    @property
    def urgent(self) -> bool:
        return bool(self.not_located) or any(overdue for _, overdue in self.open_checks or ())


def home_for(permissions, school, now: dt.datetime | None = None) -> Home:
    now = now or clock.now()
    today = clock.to_local(now).date()
    home = Home()
    if Permission.WELFARE_CHECKS_RECORD in permissions:
        checks = db.session.scalars(select(WelfareCheck).options(joinedload(WelfareCheck.pupil)).where(
            WelfareCheck.archived_at.is_(None),
            (WelfareCheck.recorded_at.is_(None)) | (WelfareCheck.outcome == WelfareCheckOutcome.NOT_LOCATED))
            .order_by(WelfareCheck.raised_at, WelfareCheck.id)).all()
        home.not_located = [c for c in checks if c.outcome is WelfareCheckOutcome.NOT_LOCATED]
        open_checks = [(c, welfare_check_overdue(c.raised_at, now)) for c in checks if c.recorded_at is None]
        home.open_checks = sorted(open_checks, key=lambda pair: not pair[1])
        home.order.append("welfare")
    if Permission.ATTENDANCE_RECORD in permissions:
        sessions = db.session.scalars(select(AttendanceSession).options(
            joinedload(AttendanceSession.pupil), joinedload(AttendanceSession.provider)).where(
            AttendanceSession.day == today, AttendanceSession.kind == SessionKind.PROVISION,
            AttendanceSession.confirmed_at.is_(None)).order_by(AttendanceSession.cutoff_at, AttendanceSession.id))
        home.to_confirm = [(s, s.cutoff_at <= now) for s in sessions]
        home.order.append("attendance")
    if Permission.PLACEMENTS_COMMISSION in permissions:
        planned = db.session.scalars(select(Placement).options(joinedload(Placement.pupil)).where(
            Placement.status == PlacementStatus.PLANNED, Placement.archived_at.is_(None))
            .order_by(Placement.start_date, Placement.id)).all()
        home.not_ready = [(p, missing) for p in planned if (missing := placement_readiness(p))]
        home.overdue_tasks = list(db.session.scalars(select(Task).where(
            Task.status == TaskStatus.OPEN, Task.kind.in_(["half_termly_review", "qa_visit_due", "follow_up_action"]),
            Task.due_at <= now).order_by(Task.due_at, Task.id)))
        home.order.append("ap_leader")
    if Permission.REPORTS_PRODUCE in permissions:
        home.approvals = list(db.session.scalars(select(OffSiteDirection).options(
            joinedload(OffSiteDirection.placement).joinedload(Placement.pupil)).where(
            OffSiteDirection.archived_at.is_(None), OffSiteDirection.governing_body_approved_on.is_(None))
            .join(Placement, Placement.id == OffSiteDirection.placement_id)
            .where(Placement.status == PlacementStatus.PLANNED)))
        home.figures = _term_so_far(school, today)
        home.order.append("headteacher")
    return home


def _term_so_far(school, today: dt.date):
    calendar = calendar_for_school(school.id)
    term = next((t for t in terms_of(calendar) if t.first_day <= today <= t.last_day), None)
    if term is None:
        return None
    return report_data(school, f"{term.label} so far", term.first_day, today, calendar)
