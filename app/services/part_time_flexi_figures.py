"""Part-time timetables (9.5-9.7) and flexi-schooling (10.4-10.7) in the figures of the use of AP (issue 16 items
2 and 4): the headteacher's report, the trust report and the dashboard's trends read them from
`PeriodFigures.extra`, filled by the two PERIOD_SECTIONS hooks installed here (app.services.ap_figures).

Each hook is a fixed number of queries over every school and period asked for (rows fetched once for the whole
span and counted into each window), so neither the report nor the dashboard grows with history. Every row label
is set (0 when nothing happened) so each period shows the same rows, in this order. Aggregates only.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models.flexi_schooling import FlexiAgreement, FlexiRequest, FlexiRequestStatus, FlexiReview
from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview
from app.policy.part_time_timetables import TimetableStatus
from app.services import ap_figures

PART_TIME = "part_time_timetables"
FLEXI = "flexi_schooling"
SIX_WEEKS = dt.timedelta(days=42)  # app.policy.part_time_timetables: "running past six weeks"

PT_PUPILS = "Pupils on a part-time timetable"
PT_APPROVED = "Part-time timetables approved"
PT_RETURNED = "Returned to full time"
PT_PAST_SIX_WEEKS = "Running past six weeks"
PT_REVIEWS = "Part-time timetable reviews held"
PART_TIME_ROWS = (PT_PUPILS, PT_APPROVED, PT_RETURNED, PT_PAST_SIX_WEEKS, PT_REVIEWS)

FX_REQUESTS = "Flexi-schooling requests received"
FX_APPROVED = "Requests agreed by the headteacher"
FX_REFUSED = "Requests refused"
FX_RUNNING = "Flexi-schooling agreements running"
FX_WITHDRAWN = "Agreements withdrawn"
FX_REVIEWS = "Termly reviews held"
FLEXI_ROWS = (FX_REQUESTS, FX_APPROVED, FX_REFUSED, FX_RUNNING, FX_WITHDRAWN, FX_REVIEWS)


def _span(windows):
    days = [d for ws in windows.values() for w in ws for d in (w.first_day, w.last_day)]
    return min(days), max(days)


def _each_window(windows, figures, school_id: int, first: dt.date, last: dt.date | None):
    """The figures of every window of the school that [first, last] overlaps (last None: still running)."""
    for w in windows.get(school_id, ()):
        if first <= w.last_day and (last is None or last >= w.first_day):
            yield w, figures[(school_id, w.key)]


def _start(figures, key: str, rows) -> None:
    for f in figures.values():
        counts = f.extra.setdefault(key, Counter())
        for label in rows:
            counts.setdefault(label, 0)


def part_time_figures(windows, figures) -> None:
    """9.5-9.7: pupils on an approved part-time timetable in the period, approvals, returns to full time, those
    running past six weeks, and reviews held."""
    _start(figures, PART_TIME, PART_TIME_ROWS)
    earliest, latest = _span(windows)
    schools = list(windows)
    pupils: dict[tuple[int, str], set] = {}
    for school_id, pupil_id, start, end, ended_on, status, approved_at in db.session.execute(
            select(PartTimeTimetable.school_id, PartTimeTimetable.pupil_id, PartTimeTimetable.start_date,
                   PartTimeTimetable.end_date, PartTimeTimetable.ended_on, PartTimeTimetable.status,
                   PartTimeTimetable.approved_at)
            .where(PartTimeTimetable.school_id.in_(schools), PartTimeTimetable.archived_at.is_(None),
                   PartTimeTimetable.approved_at.is_not(None), PartTimeTimetable.start_date <= latest,
                   or_(PartTimeTimetable.ended_on.is_(None), PartTimeTimetable.ended_on >= earliest))):
        last = ended_on if ended_on is not None else (end if status == TimetableStatus.ENDED else None)
        for w, f in _each_window(windows, figures, school_id, start, last):
            pupils.setdefault((school_id, w.key), set()).add(pupil_id)
            stop = min(x for x in (last, end, w.last_day) if x is not None)
            f.extra[PART_TIME][PT_PAST_SIX_WEEKS] += (stop - start) > SIX_WEEKS
            approved_on = ap_figures._as_date(approved_at)
            f.extra[PART_TIME][PT_APPROVED] += w.first_day <= approved_on <= w.last_day
            f.extra[PART_TIME][PT_RETURNED] += ended_on is not None and w.first_day <= ended_on <= w.last_day
    for (school_id, key), ids in pupils.items():
        figures[(school_id, key)].extra[PART_TIME][PT_PUPILS] = len(ids)
    for school_id, held_on in db.session.execute(
            select(PartTimeTimetableReview.school_id, PartTimeTimetableReview.held_on)
            .where(PartTimeTimetableReview.school_id.in_(schools), PartTimeTimetableReview.archived_at.is_(None),
                   PartTimeTimetableReview.held_on >= earliest, PartTimeTimetableReview.held_on <= latest)):
        for _, f in _each_window(windows, figures, school_id, held_on, held_on):
            f.extra[PART_TIME][PT_REVIEWS] += 1


def flexi_figures(windows, figures) -> None:
    """10.4-10.7: requests received and decided, agreements running and withdrawn, termly reviews held."""
    _start(figures, FLEXI, FLEXI_ROWS)
    earliest, latest = _span(windows)
    schools = list(windows)
    for school_id, received_on, decided_on, status in db.session.execute(
            select(FlexiRequest.school_id, FlexiRequest.received_on, FlexiRequest.decided_on, FlexiRequest.status)
            .where(FlexiRequest.school_id.in_(schools), FlexiRequest.archived_at.is_(None),
                   or_(and_(FlexiRequest.received_on >= earliest, FlexiRequest.received_on <= latest),
                       and_(FlexiRequest.decided_on >= earliest, FlexiRequest.decided_on <= latest)))):
        for _, f in _each_window(windows, figures, school_id, received_on, received_on):
            f.extra[FLEXI][FX_REQUESTS] += 1
        if decided_on is not None and status != FlexiRequestStatus.RECEIVED:
            for _, f in _each_window(windows, figures, school_id, decided_on, decided_on):
                f.extra[FLEXI][FX_APPROVED if status == FlexiRequestStatus.APPROVED else FX_REFUSED] += 1
    for school_id, start, end, withdrawn_by in db.session.execute(
            select(FlexiAgreement.school_id, FlexiAgreement.start_date, FlexiAgreement.end_date,
                   FlexiAgreement.withdrawn_by)
            .where(FlexiAgreement.school_id.in_(schools), FlexiAgreement.archived_at.is_(None),
                   FlexiAgreement.start_date <= latest,
                   or_(FlexiAgreement.end_date.is_(None), FlexiAgreement.end_date >= earliest))):
        for w, f in _each_window(windows, figures, school_id, start, end):
            f.extra[FLEXI][FX_RUNNING] += 1
            f.extra[FLEXI][FX_WITHDRAWN] += (withdrawn_by is not None and end is not None
                                              and w.first_day <= end <= w.last_day)
    for school_id, held_on in db.session.execute(
            select(FlexiReview.school_id, FlexiReview.held_on)
            .where(FlexiReview.school_id.in_(schools), FlexiReview.archived_at.is_(None),
                   FlexiReview.held_on >= earliest, FlexiReview.held_on <= latest)):
        for _, f in _each_window(windows, figures, school_id, held_on, held_on):
            f.extra[FLEXI][FX_REVIEWS] += 1


def install_report_sections() -> None:
    """Called once by the app factory: the report's part-time and flexi sections get their figures."""
    for hook in (part_time_figures, flexi_figures):
        if hook not in ap_figures.PERIOD_SECTIONS:
            ap_figures.PERIOD_SECTIONS.append(hook)
