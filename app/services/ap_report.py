"""The headteacher's report on the use of AP (issue 16 item 4; policy 4.1, 4.2, 8.7, 11, 12.1): for a term or any
date range, every figure compared with the two periods before, in sections with a chart and a table each. The
page, the PDF, the governors' view and the API all read `report_data`; the figures are app.services.ap_figures'.
Aggregate only: no pupil is named anywhere in a report (4.1; design invariant 8).

Producing a report, marking it presented to governors and sent to the trust run in the school's scope and commit,
or change nothing and return the problems by field.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.input_edges import DATE_MIN, DATE_RANGE_MESSAGE
from app.models import Audience, School, User
from app.models.oversight import GovernorsNote, HeadteacherReport
from app.roles import TrustRoleName
from app.school_calendar import SchoolCalendar
from app.services.ap_figures import PeriodFigures, Window, period_figures
from app.services.calendar import calendar_for_school
from app.services.notifications import queue_for_users
from app.services.report_charts import bar_chart
from app.services.results import Result
from app.services.tasks import _external_url, trust_role_holders
from tenants import require_school_id
from tenants.access import school_record_or_404

COMPARED_WITH = 2  # previous periods shown beside the report's own
MAX_RANGE_DAYS = 400


# --- the periods ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermChoice:
    label: str
    first_day: dt.date
    last_day: dt.date


def terms_of(calendar: SchoolCalendar) -> list[TermChoice]:
    """The school's terms, from its half-terms (part 1's first day to part 2's last), oldest first."""
    terms: dict[tuple[int, str], list] = {}
    for h in calendar.half_terms:
        terms.setdefault((h.academic_year, str(h.term)), []).append(h)
    choices = [TermChoice(f"{str(term).title()} term {halves[0].academic_year_label}",
                          min(h.first_day for h in halves), max(h.last_day for h in halves))
               for (_, term), halves in terms.items()]
    return sorted(choices, key=lambda c: c.first_day)


def comparison_windows(first_day: dt.date, last_day: dt.date, calendar: SchoolCalendar,
                       label: str) -> list[Window]:
    """The report's period last, after the periods it is compared with: the terms before it when it is a term of
    the calendar, else ranges of the same length just before it. Oldest first."""
    terms = terms_of(calendar)
    for i, term in enumerate(terms):
        if (term.first_day, term.last_day) == (first_day, last_day):
            earlier = terms[max(0, i - COMPARED_WITH):i]
            return [Window(t.label, t.first_day, t.last_day) for t in earlier] + [Window(label, first_day, last_day)]
    length = (last_day - first_day).days + 1
    windows = [Window(label, first_day, last_day)]
    for n in range(1, COMPARED_WITH + 1):
        end = first_day - dt.timedelta(days=length * (n - 1) + 1)
        start = end - dt.timedelta(days=length - 1)
        windows.insert(0, Window(f"{start:%-d %b %Y} to {end:%-d %b %Y}", start, end))
    return windows


# --- the report's content --------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    values: list  # one per period, oldest first
    kind: str = "count"  # count, percent, money


@dataclass
class Breakdown:
    caption: str
    headers: list[str]
    rows: list[list]


@dataclass
class Section:
    key: str
    title: str
    policy: str
    rows: list[Row] = field(default_factory=list)
    chart_row: int | None = 0  # which row the chart draws (None: no chart)
    breakdowns: list[Breakdown] = field(default_factory=list)
    not_recorded: str | None = None  # shown instead of figures when the records do not exist yet


@dataclass
class ReportData:
    school: School
    label: str
    periods: list[Window]
    figures: list[PeriodFigures]
    sections: list[Section]

    @property
    def current(self) -> PeriodFigures:
        return self.figures[-1]

    def as_json(self) -> dict:
        """The same figures for the API (numbers as numbers; money as strings of pounds and pence)."""
        def plain(value):
            return str(value) if isinstance(value, Decimal) else value

        return {"school": self.school.slug, "label": self.label,
                "periods": [{"label": w.key, "first_day": w.first_day.isoformat(), "last_day": w.last_day.isoformat()}
                            for w in self.periods],
                "sections": [{"key": s.key, "title": s.title, "policy": s.policy, "not_recorded": s.not_recorded,
                              "rows": [{"label": r.label, "kind": r.kind, "values": [plain(v) for v in r.values]}
                                       for r in s.rows],
                              "breakdowns": [{"caption": b.caption, "headers": b.headers,
                                              "rows": [[plain(v) for v in row] for row in b.rows]}
                                             for b in s.breakdowns]}
                             for s in self.sections]}


def _counter_table(caption: str, heading: str, counter, total_label: str = "Placements") -> Breakdown:
    return Breakdown(caption, [heading, total_label], [[k, v] for k, v in counter.most_common()])


# Sections that other capabilities fill once their records exist (part-time timetables, section 9; flexi-
# schooling, section 10). Until a PERIOD_SECTIONS hook (app.services.ap_figures) puts figures under the key in
# PeriodFigures.extra, the report says they are not recorded.
LATER_SECTIONS = (
    ("part_time_timetables", "Part-time timetables", "9.5-9.7"),
    ("flexi_schooling", "Flexi-schooling", "10.4-10.7"),
)


def build_sections(figs: list[PeriodFigures]) -> list[Section]:
    cur = figs[-1]

    def row(label, getter, kind="count"):
        return Row(label, [getter(f) for f in figs], kind)

    sections = [
        Section("use", "Use of alternative provision", "4.2", [
            row("Pupils in AP", lambda f: f.pupils_in_ap),
            row("Placements", lambda f: f.placements),
            row("New placements", lambda f: f.new_placements),
            row("Placements ended", lambda f: f.ended_placements),
            row("Days in AP", lambda f: f.days_in_ap),
            row("Sessions due at providers", lambda f: f.sessions_due),
        ], breakdowns=[_counter_table("Placements by provider, this period", "Provider", cur.by_provider),
                       _counter_table("Placements by kind of provision, this period", "Kind", cur.by_kind),
                       _counter_table("Placements by reason (5.2), this period", "Reason", cur.by_reason)]),
        Section("attendance", "Attendance at AP", "4.5", [
            row("Attendance", lambda f: f.attendance, "percent"),
            row("Sessions attended", lambda f: f.attended),
            row("Possible sessions", lambda f: f.possible),
        ]),
        Section("welfare", "Welfare checks and their outcomes", "4.4, 4.5", [
            row("Welfare checks raised", lambda f: f.welfare_checks),
            row("Seen and safe", lambda f: f.welfare_outcomes.get("seen_and_safe", 0)),
            row("Reason obtained", lambda f: f.welfare_outcomes.get("reason_obtained", 0)),
            row("Not located (missing-child procedure)", lambda f: f.not_located),
            row("Still open", lambda f: f.welfare_outcomes.get("open", 0)),
        ]),
        Section("monitoring", "Reviews and quality-assurance visits on time", "8.1, 8.3", [
            row("Half-termly reviews due", lambda f: f.reviews_due),
            row("Reviews held on time", lambda f: f.reviews_on_time),
            row("Reviews on time", lambda f: 100 * f.reviews_on_time / f.reviews_due if f.reviews_due else None,
                "percent"),
            row("Reviews held", lambda f: f.reviews_held),
            row("QA visits due", lambda f: f.qa_visits_due),
            row("QA visits made on time", lambda f: f.qa_visits_on_time),
            row("QA activities recorded", lambda f: f.qa_activities),
        ], chart_row=2),
        Section("outcomes", "Outcomes and destinations", "8.7", [
            row("Placements ended", lambda f: f.ended_placements),
        ], breakdowns=[_counter_table("Destinations of placements that ended this period", "Destination",
                                      cur.destinations)]),
        Section("directions", "Off-site directions", "6.1-6.5", [
            row("Placements under an off-site direction", lambda f: f.off_site_directions),
        ]),
        Section("concerns", "Concerns about providers", "7.8", [
            row("Concerns raised by the school", lambda f: f.provider_concerns),
        ]),
        Section("complaints", "Complaints about how the policy was applied", "11.1", [
            row("Complaints received", lambda f: f.extra.get("complaints", {}).get("received", 0)),
            row("Complaints closed", lambda f: f.extra.get("complaints", {}).get("closed", 0)),
        ]),
    ]
    sections.extend(_later_sections(figs))
    sections.append(_cost_section(figs))
    return sections


def _cost_section(figs: list[PeriodFigures]) -> Section:
    """4.2: cost and value for money, per period, and by provider this period."""
    def row(label, getter, kind="count"):
        return Row(label, [getter(f) for f in figs], kind)

    return Section("cost", "Cost and value for money", "4.2", [
        row("Cost of placements", lambda f: f.cost.quantize(Decimal("0.01")) if f.costed_placements else None, "money"),
        row("Cost per pupil", lambda f: f.cost_per_pupil, "money"),
        row("Cost per attended session", lambda f: f.cost_per_attended_session, "money"),
        row("Placements with an agreed cost", lambda f: f.costed_placements),
    ], breakdowns=[Breakdown("Value for money by provider, this period",
                             ["Provider", "Cost", "Sessions attended", "Cost per attended session"],
                             [list(r) for r in figs[-1].value_by_provider()])])


def _later_sections(figs: list[PeriodFigures]) -> list[Section]:
    """Part-time timetables and flexi-schooling: the rows their PERIOD_SECTIONS hook put in `extra`, in its order."""
    sections = []
    for key, title, policy in LATER_SECTIONS:
        if any(key in f.extra for f in figs):
            sections.append(Section(key, title, policy, [
                Row(label, [f.extra.get(key, {}).get(label) for f in figs])
                for label in dict.fromkeys(label for f in figs for label in f.extra.get(key, {}))]))
        else:
            sections.append(Section(key, title, policy, chart_row=None,
                                    not_recorded="Not recorded: AP Hub does not hold these records yet."))
    return sections


def charts_for(data: ReportData) -> dict:
    """Each section's chart (its chart row across the periods), for the page and the PDF."""
    labels = [w.key for w in data.periods]
    return {s.key: (bar_chart(labels, s.rows[s.chart_row].values, s.rows[s.chart_row].kind)
                    if s.chart_row is not None and s.rows else None) for s in data.sections}


def report_data(school: School, label: str, first_day: dt.date, last_day: dt.date,
                calendar: SchoolCalendar | None = None) -> ReportData:
    """Issue 16 item 4 (4.2): the report for the period, compared with the periods before it."""
    calendar = calendar or calendar_for_school(school.id)
    windows = comparison_windows(first_day, last_day, calendar, label)
    figures = period_figures({school.id: windows})
    figs = [figures[(school.id, w.key)] for w in windows]
    return ReportData(school, label, windows, figs, build_sections(figs))


# --- the records: produce, present, send ---------------------------------------------------------------------


def reports() -> list[HeadteacherReport]:
    return list(db.session.scalars(select(HeadteacherReport).where(HeadteacherReport.archived_at.is_(None))
                                   .order_by(HeadteacherReport.first_day.desc(), HeadteacherReport.id.desc())))


def presented_reports() -> list[HeadteacherReport]:
    """What governors see (4.1): the reports presented to them."""
    return [r for r in reports() if r.presented_on is not None]


def access_report(report_id: int) -> HeadteacherReport:
    return school_record_or_404(HeadteacherReport, report_id)


def period_errors(first_day: dt.date | None, last_day: dt.date | None, today: dt.date) -> dict[str, str]:
    errors = {}
    if first_day is None:
        errors["first_day"] = "Enter the first day of the period."
    if last_day is None:
        errors["last_day"] = "Enter the last day of the period."
    if errors:
        return errors
    if last_day < first_day:
        errors["last_day"] = "The last day must be on or after the first day."
    elif first_day < DATE_MIN:
        errors["first_day"] = f"The first day {DATE_RANGE_MESSAGE}."
    elif (last_day - first_day).days > MAX_RANGE_DAYS:
        errors["last_day"] = "A report covers at most a school year: choose a shorter period."
    elif first_day > today:
        errors["first_day"] = "The period cannot start in the future."
    return errors


def produce_report(label: str | None, first_day: dt.date | None, last_day: dt.date | None, by: User) -> Result:
    """4.2: the headteacher produces the report for a period. The same period twice is the same report (a double
    click, two people at once: the unique constraint decides). Commits."""
    errors = period_errors(first_day, last_day, clock.today())
    label = (label or "").strip() or (f"{first_day:%-d %b %Y} to {last_day:%-d %b %Y}" if not errors else "")
    if len(label) > 100:
        errors["label"] = "Keep the name to 100 characters."
    if errors:
        return Result(errors=errors)
    existing = _report_for(first_day, last_day)
    if existing is not None:
        return Result(record=existing)
    report = HeadteacherReport(school_id=require_school_id(), label=label, first_day=first_day, last_day=last_day,
                               created_by_id=by.id)
    db.session.add(report)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return Result(record=_report_for(first_day, last_day))
    return Result(record=report)


def _report_for(first_day: dt.date, last_day: dt.date) -> HeadteacherReport | None:
    return db.session.scalar(select(HeadteacherReport).where(
        HeadteacherReport.first_day == first_day, HeadteacherReport.last_day == last_day))


def mark_presented(report: HeadteacherReport, presented_on: dt.date | None, meeting: str | None, by: User) -> Result:
    """4.1, 4.2: the report was presented to the governing body at a meeting on a date. Recorded once (a second
    attempt is refused, not overwritten: the minutes are fixed). Commits."""
    errors = {}
    meeting = (meeting or "").strip()
    if presented_on is None:
        errors["presented_on"] = "Enter the date of the governors' meeting."
    elif presented_on > clock.today():
        errors["presented_on"] = "The meeting cannot be in the future."
    elif presented_on < report.first_day:
        errors["presented_on"] = "The meeting cannot be before the period the report covers."
    if not meeting:
        errors["presented_meeting"] = "Enter the meeting, for example 'Full governing body'."
    elif len(meeting) > 200:
        errors["presented_meeting"] = "Keep the meeting's name to 200 characters."
    if report.presented_on is not None:
        errors = {"presented_on": "This report is already recorded as presented."}
    if errors:
        return Result(errors=errors)
    report.presented_on = presented_on
    report.presented_meeting = meeting
    report.presented_recorded_by_id = by.id
    db.session.commit()
    return Result(record=report)


def mark_sent_to_trust(report: HeadteacherReport, by: User) -> Result:
    """4.2: the report is sent to the trust: recorded once, and the trust's designated trustee and safeguarding
    lead are emailed a link through the outbox (nothing is sent inside the request). Commits."""
    if report.sent_to_trust_at is not None:
        return Result(errors={"sent": "This report is already sent to the trust."})
    report.sent_to_trust_at = clock.now()
    report.sent_to_trust_by_id = by.id
    school = db.session.get(School, report.school_id)
    people = [*trust_role_holders(TrustRoleName.DESIGNATED_TRUSTEE),
              *trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD)]
    queue_for_users(people, dedupe_key=f"report-sent:{report.id}", template="report_sent_to_trust",
                    audience=Audience.TRUST, about_type="headteacher_report", about_id=report.id,
                    about_label=f"Headteacher's report: {report.label}"[:200], school_id=report.school_id,
                    context={"school_name": school.name, "label": report.label, "sent_by": by.full_name,
                             "link": _external_url("oversight.trust_report_of_school", {"report_id": report.id})})
    db.session.commit()
    return Result(record=report)


def add_governors_note(report: HeadteacherReport, questions: str | None, actions: str | None, by: User) -> Result:
    """4.1: the governors' questions on a presented report and the actions agreed. Commits."""
    questions, actions = (questions or "").strip(), (actions or "").strip() or None
    errors = {}
    if report.presented_on is None:
        errors["questions"] = "Notes are recorded once the report is presented to governors."
    elif not questions:
        errors["questions"] = "Enter the questions governors asked."
    elif len(questions) > 5000:
        errors["questions"] = "Keep the questions to 5,000 characters."
    if actions and len(actions) > 5000:
        errors["actions"] = "Keep the actions to 5,000 characters."
    if errors:
        return Result(errors=errors)
    note = GovernorsNote(school_id=report.school_id, report_id=report.id, questions=questions, actions=actions,
                         recorded_by_id=by.id)
    db.session.add(note)
    db.session.commit()
    return Result(record=note)


def notes_of(report: HeadteacherReport) -> list[GovernorsNote]:
    return list(db.session.scalars(select(GovernorsNote).where(
        GovernorsNote.report_id == report.id, GovernorsNote.archived_at.is_(None)).order_by(GovernorsNote.id)))
