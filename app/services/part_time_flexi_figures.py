"""Part-time timetables (9.5-9.7) and flexi-schooling (10.4-10.7) in the figures of the use of AP (issue 16 items
2 and 4): the headteacher's report, the trust report and the dashboard's trends read them from
`PeriodFigures.extra`, filled by the two PERIOD_SECTIONS hooks installed here (app.services.ap_figures).

Each section's rows are read with the other figures' in one statement (app.services.figure_rows), over every
school and period asked for (rows fetched once for the whole span and counted into each window), so neither the
report nor the dashboard grows with history. Every row label is set (0 when nothing happened) so each period
shows the same rows, in this order. Aggregates only.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import and_, or_

from app.models.flexi_schooling import FlexiAgreement, FlexiRequest, FlexiRequestStatus, FlexiReview
from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview
from app.policy.part_time_timetables import TimetableStatus
from app.services import ap_figures
from app.services.ap_figures import Periods, RecordSection
from app.services.figure_rows import record_rows

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


def _each_window(q: Periods, school_id: int, first: dt.date, last: dt.date | None):
    """The figures of every window of the school that [first, last] overlaps (last None: still running)."""
    for w in q.windows.get(school_id, ()):
        if first <= w.last_day and (last is None or last >= w.first_day):
            yield w, q.figures[(school_id, w.key)]


def _start(figures, key: str, rows) -> None:
    for f in figures.values():
        counts = f.extra.setdefault(key, Counter())
        for label in rows:
            counts.setdefault(label, 0)


def _part_time_reads(q: Periods, _table) -> list:
    return [record_rows("part_time_timetable", PartTimeTimetable.school_id, ats=(PartTimeTimetable.approved_at,),
                        numbers=(PartTimeTimetable.pupil_id,), texts=(PartTimeTimetable.status,),
                        days=(PartTimeTimetable.start_date, PartTimeTimetable.end_date, PartTimeTimetable.ended_on))
            .where(PartTimeTimetable.school_id.in_(q.school_ids), PartTimeTimetable.archived_at.is_(None),
                   PartTimeTimetable.approved_at.is_not(None), PartTimeTimetable.start_date <= q.latest,
                   or_(PartTimeTimetable.ended_on.is_(None), PartTimeTimetable.ended_on >= q.earliest)),
            record_rows("part_time_review", PartTimeTimetableReview.school_id, days=(PartTimeTimetableReview.held_on,))
            .where(PartTimeTimetableReview.school_id.in_(q.school_ids), PartTimeTimetableReview.archived_at.is_(None),
                   PartTimeTimetableReview.held_on >= q.earliest, PartTimeTimetableReview.held_on <= q.latest)]


def part_time_figures(q: Periods, rows: dict[str, list]) -> None:
    """9.5-9.7: pupils on an approved part-time timetable in the period, approvals, returns to full time, those
    running past six weeks, and reviews held."""
    _start(q.figures, PART_TIME, PART_TIME_ROWS)
    pupils: dict[tuple[int, str], set] = {}
    for r in rows["part_time_timetable"]:
        start, end, ended_on = r.day_1, r.day_2, r.day_3
        last = ended_on if ended_on is not None else (end if r.text_1 == TimetableStatus.ENDED else None)
        for w, f in _each_window(q, r.school_id, start, last):
            pupils.setdefault((r.school_id, w.key), set()).add(r.number_1)
            stop = min(x for x in (last, end, w.last_day) if x is not None)
            f.extra[PART_TIME][PT_PAST_SIX_WEEKS] += (stop - start) > SIX_WEEKS
            approved_on = ap_figures._as_date(r.at_1)
            f.extra[PART_TIME][PT_APPROVED] += w.first_day <= approved_on <= w.last_day
            f.extra[PART_TIME][PT_RETURNED] += ended_on is not None and w.first_day <= ended_on <= w.last_day
    for (school_id, key), ids in pupils.items():
        q.figures[(school_id, key)].extra[PART_TIME][PT_PUPILS] = len(ids)
    for r in rows["part_time_review"]:
        for _, f in _each_window(q, r.school_id, r.day_1, r.day_1):
            f.extra[PART_TIME][PT_REVIEWS] += 1


def _flexi_reads(q: Periods, _table) -> list:
    return [record_rows("flexi_request", FlexiRequest.school_id, texts=(FlexiRequest.status,),
                        days=(FlexiRequest.received_on, FlexiRequest.decided_on))
            .where(FlexiRequest.school_id.in_(q.school_ids), FlexiRequest.archived_at.is_(None),
                   or_(and_(FlexiRequest.received_on >= q.earliest, FlexiRequest.received_on <= q.latest),
                       and_(FlexiRequest.decided_on >= q.earliest, FlexiRequest.decided_on <= q.latest))),
            record_rows("flexi_agreement", FlexiAgreement.school_id, texts=(FlexiAgreement.withdrawn_by,),
                        days=(FlexiAgreement.start_date, FlexiAgreement.end_date))
            .where(FlexiAgreement.school_id.in_(q.school_ids), FlexiAgreement.archived_at.is_(None),
                   FlexiAgreement.start_date <= q.latest,
                   or_(FlexiAgreement.end_date.is_(None), FlexiAgreement.end_date >= q.earliest)),
            record_rows("flexi_review", FlexiReview.school_id, days=(FlexiReview.held_on,))
            .where(FlexiReview.school_id.in_(q.school_ids), FlexiReview.archived_at.is_(None),
                   FlexiReview.held_on >= q.earliest, FlexiReview.held_on <= q.latest)]


def flexi_figures(q: Periods, rows: dict[str, list]) -> None:
    """10.4-10.7: requests received and decided, agreements running and withdrawn, termly reviews held."""
    _start(q.figures, FLEXI, FLEXI_ROWS)
    for r in rows["flexi_request"]:
        received_on, decided_on, status = r.day_1, r.day_2, r.text_1
        for _, f in _each_window(q, r.school_id, received_on, received_on):
            f.extra[FLEXI][FX_REQUESTS] += 1
        if decided_on is not None and status != FlexiRequestStatus.RECEIVED:
            for _, f in _each_window(q, r.school_id, decided_on, decided_on):
                f.extra[FLEXI][FX_APPROVED if status == FlexiRequestStatus.APPROVED else FX_REFUSED] += 1
    for r in rows["flexi_agreement"]:
        start, end, withdrawn_by = r.day_1, r.day_2, r.text_1
        for w, f in _each_window(q, r.school_id, start, end):
            f.extra[FLEXI][FX_RUNNING] += 1
            f.extra[FLEXI][FX_WITHDRAWN] += (withdrawn_by is not None and end is not None
                                              and w.first_day <= end <= w.last_day)
    for r in rows["flexi_review"]:
        for _, f in _each_window(q, r.school_id, r.day_1, r.day_1):
            f.extra[FLEXI][FX_REVIEWS] += 1


SECTIONS = (RecordSection(_part_time_reads, part_time_figures), RecordSection(_flexi_reads, flexi_figures))


def install_report_sections() -> None:
    """Called once by the app factory: the report's part-time and flexi sections get their figures."""
    for section in SECTIONS:
        if section not in ap_figures.PERIOD_SECTIONS:
            ap_figures.PERIOD_SECTIONS.append(section)
