"""Part-time timetables: who is told, and the daily sweep (issue 15 items 3, 7, 9; policy 9.6, 9.7).

- LA notices follow each LA's procedure as data (`LAReportingProcedure`: notify on start, change, end; with none
  recorded, on all three), to the pupil's responsible LA (falling back to the school's). Once each: the dedupe
  key names the timetable, the event (and the review for a change) and the recipient.
- Involvement (9.6): the LA SEND team, the Virtual School Headteacher, the social worker, each told once.
- Review tasks on the agreed dates, the six-week flag to the headteacher and the trust safeguarding lead, and the
  scheduled return of all current timetables to each LA whose procedure asks for one (a CSV, also served as JSON
  by the API); app.services.part_time_sweep runs them daily.
Everything runs inside a school's tenant scope; callers commit.
"""
from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.models import Audience, InvolvementParty, LAContactKind, School
from app.models.part_time import LAReportingProcedure, PartTimeTimetable
from app.policy import part_time_timetables as policy
from app.policy.part_time_timetables import NoticeEvent, TimetableStatus
from app.roles import TrustRoleName
from app.school_calendar import SchoolCalendar
from app.services.notifications import (
    MissingLAContact,
    notify_local_authority,
    queue_for_users,
    queue_notification,
    responsible_local_authority,
)
from app.services.tasks import END_OF_SCHOOL_DAY, TaskKind, ensure_task, trust_role_holders

SUBJECT = "part_time_timetable"
ALL_EVENTS = tuple(e.value for e in NoticeEvent)
REVIEW_TASK_LEAD = dt.timedelta(days=7)  # review tasks appear a week before the agreed date


def procedure_for(timetable: PartTimeTimetable, school: School) -> LAReportingProcedure | None:
    la = responsible_local_authority(timetable.pupil, school)
    return db.session.scalar(select(LAReportingProcedure).where(LAReportingProcedure.local_authority_id == la.id))


def _context(timetable: PartTimeTimetable, school: School, subject: str, *lines: str) -> dict:
    week = policy.week_of(timetable.entries, timetable.pupil.year_group)
    full = f" of {week.full_time_hours:g} full-time hours" if week.full_time_hours else ""
    return {"subject": subject, "school_name": school.name, "paragraphs": [
        *lines,
        f"Pupil: {timetable.pupil.first_name} {timetable.pupil.last_name} (UPN {timetable.pupil.upn}), "
        f"Year {timetable.pupil.year_group}.",
        f"Part-time timetable from {timetable.start_date:%-d %B %Y} to {timetable.end_date:%-d %B %Y}"
        + (f", ended {timetable.ended_on:%-d %B %Y}" if timetable.ended_on else "") + ".",
        f"Hours in education a week: {week.hours_in_education:g}{full}.",
        f"Reason: {policy.REASON_CATEGORIES.get(timetable.reason_category, ('',))[0]}.",
    ]}


_EVENT_WORDS = {NoticeEvent.START: "has started", NoticeEvent.CHANGE: "has changed", NoticeEvent.END: "has ended"}


def notify_la(timetable: PartTimeTimetable, event: NoticeEvent, review_id: int | None = None) -> str | None:
    """Policy 9.7: tell the pupil's responsible LA of a start, change or end where its procedure asks (with no
    procedure recorded, of all three). Once per event (and review) per LA. Returns the problem (no contact)."""
    school = db.session.get(School, timetable.school_id)
    procedure = procedure_for(timetable, school)
    if not policy.la_notice_due(event, procedure.notify_on if procedure else ALL_EVENTS):
        return None
    la = responsible_local_authority(timetable.pupil, school)
    suffix = f":{review_id}" if review_id else ""
    subject = f"Part-time timetable {_EVENT_WORDS[event]}: {timetable.pupil.initials}, {school.name}"
    try:
        notify_local_authority(
            school, LAContactKind.AP_NOTIFICATIONS, template="notice",
            context=_context(timetable, school, subject,
                             f"{school.name} tells you, under your procedure for reporting adjusted timetables "
                             f"(policy 9.7), that a pupil's part-time timetable {_EVENT_WORDS[event]}."),
            dedupe_key=f"part-time-{event.value}:{timetable.id}{suffix}:la:{la.id}", about_type="pupil",
            about_id=timetable.pupil_id, about_label=subject[:200], pupil=timetable.pupil)
    except MissingLAContact as exc:
        return str(exc)
    return None


def notify_involvement(timetable: PartTimeTimetable, party: InvolvementParty) -> str | None:
    """Policy 9.6: the LA SEND team (EHCP), the Virtual School Headteacher (looked after) or the social worker,
    told through the outbox once per timetable. Returns the problem (no address) instead."""
    school = db.session.get(School, timetable.school_id)
    pupil = timetable.pupil
    subject = f"Part-time timetable proposed: {pupil.initials}, {school.name}"
    context = _context(timetable, school, subject,
                       f"{school.name} is considering a temporary part-time timetable and has discussed it with "
                       "you (policy 9.6). This records that you were informed and involved.")
    key = f"part-time-involvement:{timetable.id}:{party.value}"
    if party is InvolvementParty.SOCIAL_WORKER:
        if not pupil.social_worker_email:
            return (f"{pupil.display_name}'s social worker has no email address on the pupil's record, so they "
                    "cannot be told (9.6). Add it on the pupil's page first.")
        queue_notification(dedupe_key=key, audience=Audience.SOCIAL_WORKER, recipient_email=pupil.social_worker_email,
                           recipient_name=pupil.social_worker_name, template="notice", context=context,
                           about_type="pupil", about_id=pupil.id, about_label=subject[:200], school_id=school.id)
        return None
    kind = LAContactKind.SEND if party is InvolvementParty.LOCAL_AUTHORITY_SEND else LAContactKind.VIRTUAL_SCHOOL_HEAD
    try:
        notify_local_authority(school, kind, template="notice", context=context, dedupe_key=key, about_type="pupil",
                               about_id=pupil.id, about_label=subject[:200], pupil=pupil)
    except MissingLAContact as exc:
        return str(exc)
    return None


# --- tasks -----------------------------------------------------------------------------


def ensure_review_tasks(timetable: PartTimeTimetable, today: dt.date | None = None) -> int:
    """Policy 9.6: a review task on each agreed review date coming up within a week (and any date passed without
    a review since the last one), for the AP leader; made once each (dedupe key)."""
    today = today or clock.today()
    last_review = max((r.held_on for r in timetable.reviews), default=None)
    made = 0
    for day in timetable.review_days:
        if day > today + REVIEW_TASK_LEAD or (last_review is not None and day <= last_review):
            continue
        if day > timetable.end_date:
            continue
        _task, created = ensure_task(
            TaskKind.PART_TIME_REVIEW, f"part-time-review:{timetable.id}:{day.isoformat()}",
            f"Review {timetable.pupil.display_name}'s part-time timetable",
            clock.local_datetime(day, END_OF_SCHOOL_DAY),
            subject=(SUBJECT, timetable.id), link=("part_time.show", {"timetable_id": timetable.id}))
        made += created
    return made


def flag_six_weeks(timetable: PartTimeTimetable, today: dt.date) -> bool:
    """Issue 15 item 7: once six weeks after its start, a timetable still in force is flagged to the headteacher
    (a task) and the trust safeguarding lead (an email), once."""
    if not policy.six_week_flag_due(timetable.start_date, today, timetable.six_week_flagged_at is not None):
        return False
    school = db.session.get(School, timetable.school_id)
    title = f"{timetable.pupil.display_name}'s part-time timetable has run past six weeks"
    ensure_task(TaskKind.PART_TIME_SIX_WEEKS, f"part-time-six-weeks:{timetable.id}", title,
                clock.local_datetime(today, END_OF_SCHOOL_DAY), subject=(SUBJECT, timetable.id),
                link=("part_time.show", {"timetable_id": timetable.id}))
    queue_for_users(trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD),
                    dedupe_key=f"part-time-six-weeks:{timetable.id}", template="notice", audience=Audience.TRUST,
                    context={"subject": f"{school.name}: a part-time timetable has run past six weeks",
                             "school_name": school.name,
                             "paragraphs": [f"Pupil {timetable.pupil.initials} at {school.name} has been on a "
                                            f"part-time timetable since {timetable.start_date:%-d %B %Y} "
                                            f"(planned end {timetable.end_date:%-d %B %Y}).",
                                            "Policy 9.6: the return to full-time education is as soon as "
                                            "practicable."]},
                    about_type=SUBJECT, about_id=timetable.id, about_label=title[:200], school_id=school.id)
    timetable.six_week_flagged_at = clock.now()
    return True


# --- the LA return (9.7) --------------------------------------------------------------------------------------

RETURN_COLUMNS = ("UPN", "Surname", "First name", "Year group", "Responsible LA", "Reason", "Start date",
                  "End date", "Hours a week", "Full-time hours", "Status", "Approved on", "Reviews held")


def current_timetables(today: dt.date | None = None, local_authority_id: int | None = None) -> list[PartTimeTimetable]:
    """The timetables in force or approved to start (9.7: the school's records of their use)."""
    school = None
    found = []
    for t in db.session.scalars(select(PartTimeTimetable).where(
            PartTimeTimetable.status == TimetableStatus.ACTIVE, PartTimeTimetable.archived_at.is_(None))
            .options(selectinload(PartTimeTimetable.pupil), selectinload(PartTimeTimetable.sessions),
                     selectinload(PartTimeTimetable.reviews)).order_by(PartTimeTimetable.start_date)):
        school = school or db.session.get(School, t.school_id)
        if local_authority_id is None or responsible_local_authority(t.pupil, school).id == local_authority_id:
            found.append(t)
    return found


def return_rows(timetables: list[PartTimeTimetable]) -> list[dict]:
    rows = []
    for t in timetables:
        school = db.session.get(School, t.school_id)
        week = policy.week_of(t.entries, t.pupil.year_group)
        rows.append({
            "upn": t.pupil.upn, "last_name": t.pupil.last_name, "first_name": t.pupil.first_name,
            "year_group": t.pupil.year_group, "responsible_la": responsible_local_authority(t.pupil, school).name,
            "reason_category": t.reason_category, "start_date": t.start_date.isoformat(),
            "end_date": t.end_date.isoformat(), "hours_a_week": week.hours_in_education,
            "full_time_hours": week.full_time_hours, "status": t.status.value,
            "approved_on": clock.to_local(t.approved_at).date().isoformat() if t.approved_at else None,
            "reviews_held": len(t.reviews)})
    return rows


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def return_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RETURN_COLUMNS)
    for r in rows:
        writer.writerow([_cell(v) for v in r.values()])
    return out.getvalue()


def send_scheduled_returns(calendar: SchoolCalendar, today: dt.date) -> int:
    """Policy 9.7: to each LA whose procedure asks for a scheduled return and has a pupil of this school on a
    timetable, the list of current timetables on its day, once (dedupe key: LA, school, day)."""
    school = None
    by_la: dict[int, list[PartTimeTimetable]] = {}
    for t in current_timetables(today):
        school = school or db.session.get(School, t.school_id)
        by_la.setdefault(responsible_local_authority(t.pupil, school).id, []).append(t)
    sent = 0
    for la_id, items in by_la.items():
        procedure = db.session.scalar(select(LAReportingProcedure).where(
            LAReportingProcedure.local_authority_id == la_id))
        if procedure is None or not policy.return_due(procedure.return_frequency, today, calendar):
            continue
        rows = return_rows(items)
        subject = f"Part-time timetables at {school.name}: return of {today:%-d %B %Y}"
        try:
            notify_local_authority(
                school, LAContactKind.AP_NOTIFICATIONS, template="notice", pupil=items[0].pupil,
                context={"subject": subject, "school_name": school.name, "paragraphs": [
                    f"The current part-time timetables of {school.name} (policy 9.7), {len(rows)} in all:",
                    *[f"{r['upn']} {r['last_name']}, {r['first_name']}: {r['start_date']} to {r['end_date']}, "
                      f"{r['hours_a_week']:g} hours a week" for r in rows]]},
                dedupe_key=f"part-time-return:{la_id}:{school.id}:{today.isoformat()}", about_type="school",
                about_id=school.id, about_label=subject[:200])
        except MissingLAContact:
            continue  # the school's page shows the return to download and send by hand
        sent += 1
    return sent
