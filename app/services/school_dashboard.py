"""The school dashboard's cards read together (issue 18): each card (reviews, QA visits, attendance, part-time
timetables, flexi-schooling) read its own counts and small lists, a statement or three each, so the headteacher's
page made 20. Here each card's service hands over its reads as `record_rows` SELECTs and they travel as one
UNION ALL (app.services.figure_rows); each service then builds its card from those rows exactly as it would from
its own read. Only the cards the viewer may see are read (the same permissions as the page's template).
Runs in the school's scope.
"""
from __future__ import annotations

import datetime as dt

from app import clock
from app.models import School
from app.permissions import Permission
from app.services.attendance_picture import attendance_selects, school_attendance
from app.services.calendar import calendar_for_school
from app.services.figure_rows import read_rows
from app.services.flexi_schooling import flexi_count_selects, flexi_counts
from app.services.part_time_counts import school_count_selects, school_counts
from app.services.qa.visits import last_visit_selects, placement_qa_lines
from app.services.reviews.monitoring import monitoring_selects, placement_monitoring_lines
from app.services.reviews.records import active_placements


def dashboard_cards(permissions, school: School, today: dt.date | None = None) -> dict:
    """The template values of the cards `permissions` open: `monitoring_lines` (8.3), `qa_lines` (8.1),
    `attendance` (4.5), `part_time_counts` (9.6), `flexi_counts` (section 10). The active placements once for the
    review and QA cards; the calendar once (cached for the request); every card's counts in one statement."""
    today = today or clock.today()
    reviews, qa = Permission.REVIEWS_VIEW in permissions, Permission.QA_VIEW in permissions
    attendance = Permission.ATTENDANCE_VIEW in permissions
    placements = active_placements(today) if reviews or qa else []
    calendar = calendar_for_school(school.id) if reviews or attendance else None
    selects = []
    if reviews:
        selects += monitoring_selects([p.id for p in placements], calendar, today)
    if qa:
        selects += last_visit_selects(sorted({p.provider_id for p in placements}))
    if attendance:
        selects += attendance_selects([school], {school.id: calendar}, today)
    if Permission.PART_TIME_VIEW in permissions:
        selects += school_count_selects()
    if Permission.FLEXI_VIEW in permissions:
        selects += flexi_count_selects([school.id])
    rows = read_rows(selects)
    cards: dict = {}
    if reviews:
        cards["monitoring_lines"] = placement_monitoring_lines(calendar, today, placements, rows=rows)
    if qa:
        cards["qa_lines"] = placement_qa_lines(today, placements, rows=rows)
    if attendance:
        cards["attendance"] = school_attendance(school, rows=rows)
    if Permission.PART_TIME_VIEW in permissions:
        cards["part_time_counts"] = school_counts("", rows=rows)
    if Permission.FLEXI_VIEW in permissions:
        cards["flexi_counts"] = flexi_counts([school.id], rows=rows)[school.id]
    return cards
