"""Part-time timetables (issue 15; policy 9.3-9.7): proposing, the parent's agreement, involvement, the
headteacher's approval, reviews (and extensions, only there), and the return to full time. The rules are
app.policy.part_time_timetables; notices to the LA, Virtual School and social worker are
app.services.part_time_notices. Views and the API call these. Everything runs inside a school's tenant scope;
each change commits on success and rolls back with errors by field on refusal (nothing half-saved).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.extensions import db
from app.models import (
    Carer,
    Involvement,
    InvolvementParty,
    Placement,
    PlacementStatus,
    Pupil,
    SessionOfDay,
    User,
    WeeklySession,
)
from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview, PartTimeTimetableSession
from app.permissions import user_school_roles
from app.policy import part_time_timetables as policy
from app.policy.part_time_timetables import Arrangement, ReviewDecision, TimetableEntry, TimetableStatus
from app.services import part_time_notices as notices
from app.services.calendar import calendar_for_school
from app.services.record_kinds import Kind, load_kinds
from app.services.results import Result, refused
from app.services.tasks import TaskKind, complete_tasks_for
from tenants.access import school_record_or_404

SUBJECT = "part_time_timetable"  # Task.subject_type
AM, PM = policy.AM, policy.PM
DEFAULT_TIMES = {AM: (dt.time(8, 50), dt.time(12, 0)), PM: (dt.time(13, 0), dt.time(15, 15))}
AGREED_HOW = ("meeting", "phone call", "online meeting", "letter", "email")


def access_timetable(timetable_id: int) -> PartTimeTimetable:
    """A timetable of the current school, or 404 (another school's id is not found, never forbidden)."""
    return school_record_or_404(PartTimeTimetable, timetable_id)


def timetables(status: TimetableStatus | None = None, pupil_id: int | None = None) -> list[PartTimeTimetable]:
    query = (select(PartTimeTimetable).where(PartTimeTimetable.archived_at.is_(None))
             .options(selectinload(PartTimeTimetable.pupil), selectinload(PartTimeTimetable.sessions))
             .order_by(PartTimeTimetable.start_date.desc(), PartTimeTimetable.id.desc()))
    if status is not None:
        query = query.where(PartTimeTimetable.status == status)
    if pupil_id is not None:
        query = query.where(PartTimeTimetable.pupil_id == pupil_id)
    return list(db.session.scalars(query))


def timetables_of_pupil(pupil_id: int) -> list[PartTimeTimetable]:
    """The pupil page's list: the pupil's timetables as `timetables` gives them, each with its sessions (its
    week's hours), read in one statement (app.services.record_kinds; issue 18)."""
    current = (PartTimeTimetable.pupil_id == pupil_id, PartTimeTimetable.archived_at.is_(None))
    found = load_kinds({"timetables": Kind(PartTimeTimetable, current, ("-start_date", "-id")), "sessions": Kind(
        PartTimeTimetableSession, (PartTimeTimetableSession.timetable_id.in_(select(PartTimeTimetable.id).where(
            *current)),), ("weekday", "session"))})
    for timetable in found["timetables"]:
        set_committed_value(timetable, "sessions", [s for s in found["sessions"] if s.timetable_id == timetable.id])
    return found["timetables"]


def week(timetable: PartTimeTimetable) -> policy.Week:
    """Issue 15 item 4: hours in education a week against full time for the pupil's key stage."""
    return policy.week_of(timetable.entries, timetable.pupil.year_group)


# --- proposing (9.3-9.5) ----------------------------------------------------------------------------------------


@dataclass
class SessionInput:
    weekday: int
    session: str
    arrangement: str | None
    placement_id: int | None = None
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None


@dataclass
class ProposalInput:
    pupil_id: int | None
    reason_category: str | None
    reason_details: str | None
    support_plan: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    sessions: list[SessionInput] = field(default_factory=list)
    review_dates: list[dt.date] | None = None  # None: every two school weeks (policy default)
    welfare_contact_id: int | None = None


def pupil_provider_slots(pupil_id: int) -> set[tuple[int, str]]:
    """(weekday, AM/PM) of the sessions the pupil's running or planned placements have at a provider."""
    return {(weekday, session.value) for weekday, session in db.session.execute(
        select(WeeklySession.weekday, WeeklySession.session).join(Placement, Placement.id == WeeklySession.placement_id)
        .where(Placement.pupil_id == pupil_id, Placement.archived_at.is_(None),
               Placement.status.not_in((PlacementStatus.ENDED,))))}


def pupil_placement_ids(pupil_id: int) -> set[int]:
    """The pupil's placements a timetable session may be at: planned or running, not archived."""
    return set(db.session.scalars(select(Placement.id).where(
        Placement.pupil_id == pupil_id, Placement.archived_at.is_(None),
        Placement.status.not_in((PlacementStatus.ENDED,)))))


def _entries(data: ProposalInput, errors: dict[str, str]) -> list[TimetableEntry]:
    entries = []
    for s in data.sessions:
        try:
            arrangement = Arrangement(s.arrangement)
        except ValueError:
            errors["sessions"] = "Choose on site, at a provider or not in education for every session."
            continue
        default_start, default_end = DEFAULT_TIMES.get(s.session, (None, None))
        try:
            entries.append(TimetableEntry(s.weekday, s.session, arrangement, s.starts_at or default_start,
                                          s.ends_at or default_end,
                                          s.placement_id if arrangement is Arrangement.AT_PROVIDER else None))
        except (TypeError, ValueError):
            errors["sessions"] = "Give each session as a weekday (Monday to Friday) and AM or PM."
    if not data.sessions:
        errors["sessions"] = "Set out the pupil's week: each weekday's morning and afternoon."
    return entries


def propose(data: ProposalInput, by: User) -> Result:
    """Policy 9.5: any member of staff proposes a part-time timetable; it is not in force until the parent has
    agreed and the headteacher approved it. Refused by field (behaviour management quoting 9.4, no end date)."""
    errors: dict[str, str] = {}
    pupil = db.session.get(Pupil, data.pupil_id) if data.pupil_id else None
    if pupil is None or pupil.archived_at is not None:
        errors["pupil_id"] = "Choose the pupil."
    entries = _entries(data, errors)
    proposal = policy.Proposal(data.reason_category, data.reason_details, data.support_plan, data.start_date,
                               data.end_date, entries, data.review_dates or ())
    placement_ids, slots = (pupil_placement_ids(pupil.id), pupil_provider_slots(pupil.id)) if pupil else ((), ())
    for name, message in policy.proposal_errors(proposal, placement_ids, slots).items():
        errors.setdefault(name, message)
    if data.welfare_contact_id is not None and db.session.get(User, data.welfare_contact_id) is None:
        errors["welfare_contact_id"] = "Choose a member of staff for the welfare checks, or leave it to the DSL."
    if errors:
        return refused(errors)
    review_dates = data.review_dates
    if review_dates is None:
        review_dates = policy.default_review_dates(data.start_date, data.end_date, calendar_for_school())
    timetable = PartTimeTimetable(
        school_id=pupil.school_id, pupil_id=pupil.id, status=TimetableStatus.PROPOSED,
        reason_category=data.reason_category, reason_details=data.reason_details.strip(),
        support_plan=data.support_plan.strip(), start_date=data.start_date, end_date=data.end_date,
        original_end_date=data.end_date, review_dates=[d.isoformat() for d in sorted(set(review_dates))],
        proposed_by_id=by.id, proposed_at=clock.now(), welfare_contact_id=data.welfare_contact_id)
    for e in entries:
        timetable.sessions.append(PartTimeTimetableSession(
            school_id=pupil.school_id, weekday=e.weekday, session=SessionOfDay(e.session), arrangement=e.arrangement,
            placement_id=e.placement_id, starts_at=e.starts_at, ends_at=e.ends_at))
    db.session.add(timetable)
    db.session.commit()
    return Result(timetable)


# --- agreement and involvement (9.6) -------------------------------------------------------------------------


def record_agreement(timetable: PartTimeTimetable, *, carer_id: int | None, agreed_by_name: str | None,
                     agreed_on: dt.date | None, agreed_how: str | None, by: User) -> Result:
    """Policy 9.6: the agreement of the parent or carer with whom the pupil normally lives: who, when, how."""
    errors: dict[str, str] = {}
    if timetable.status is not TimetableStatus.PROPOSED:
        return refused({"status": "The agreement is recorded before the timetable is approved."})
    carer = db.session.get(Carer, carer_id) if carer_id else None
    if carer_id and (carer is None or carer.pupil_id != timetable.pupil_id):
        errors["carer_id"] = "Choose one of the pupil's parents or carers."
    elif carer is not None and not carer.lives_with:
        errors["carer_id"] = "The agreement is of the parent or carer the pupil normally lives with (9.6)."
    name = (agreed_by_name or "").strip() or (carer.name if carer else "")
    if not name:
        errors["agreed_by_name"] = "Say which parent or carer agreed."
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date they agreed."
    elif agreed_on > clock.today():
        errors["agreed_on"] = "The date they agreed cannot be in the future."
    if agreed_how not in AGREED_HOW:
        errors["agreed_how"] = "Say how they agreed: meeting, phone call, online meeting, letter or email."
    if errors:
        return refused(errors)
    timetable.agreed_by_carer_id = carer.id if carer else None
    timetable.agreed_by_name = name[:200]
    timetable.agreed_on = agreed_on
    timetable.agreed_how = agreed_how
    timetable.agreement_recorded_by_id = by.id
    db.session.commit()
    return Result(timetable)


PARTY_FOR = {"la_send": InvolvementParty.LOCAL_AUTHORITY_SEND, "social_worker": InvolvementParty.SOCIAL_WORKER,
             "virtual_school_head": InvolvementParty.VIRTUAL_SCHOOL_HEAD}


def involvements_of(timetable: PartTimeTimetable) -> list[Involvement]:
    return list(db.session.scalars(select(Involvement).where(
        Involvement.part_time_timetable_id == timetable.id, Involvement.archived_at.is_(None))
        .order_by(Involvement.involved_on, Involvement.id)))


def record_involvement(timetable: PartTimeTimetable, *, party: str | None, person_name: str | None,
                       involved_on: dt.date | None, notes: str | None, by: User) -> Result:
    """Policy 9.6: the LA's SEND team (EHCP), the social worker, the Virtual School Headteacher (looked after)
    involved in the timetable; each recorded and each told through the outbox, once."""
    errors: dict[str, str] = {}
    if party not in PARTY_FOR:
        errors["party"] = "Choose the LA SEND team, the social worker or the Virtual School Headteacher."
    if not (person_name or "").strip():
        errors["person_name"] = "Enter who you discussed it with."
    if involved_on is None:
        errors["involved_on"] = "Enter the date."
    elif involved_on > clock.today():
        errors["involved_on"] = "The date cannot be in the future."
    if errors:
        return refused(errors)
    involvement = Involvement(school_id=timetable.school_id, pupil_id=timetable.pupil_id,
                              part_time_timetable_id=timetable.id, party=PARTY_FOR[party],
                              person_name=person_name.strip()[:200], involved_on=involved_on,
                              notes=(notes or "").strip() or None, recorded_by_id=by.id)
    db.session.add(involvement)
    problem = notices.notify_involvement(timetable, involvement.party)
    if problem:
        return refused({"party": problem})
    db.session.commit()
    return Result(involvement)


def approval_facts(timetable: PartTimeTimetable) -> policy.ApprovalFacts:
    parties = {i.party for i in involvements_of(timetable)}
    pupil = timetable.pupil
    return policy.ApprovalFacts(
        parent_agreed=timetable.parent_agreed, has_end_date=timetable.end_date is not None,
        has_ehcp=pupil.has_ehcp, has_social_worker=pupil.has_social_worker,
        is_looked_after=pupil.is_looked_after,
        la_send_discussed=InvolvementParty.LOCAL_AUTHORITY_SEND in parties,
        social_worker_informed=InvolvementParty.SOCIAL_WORKER in parties,
        virtual_school_head_discussed=InvolvementParty.VIRTUAL_SCHOOL_HEAD in parties)


def missing_before_approval(timetable: PartTimeTimetable) -> list[str]:
    return policy.approval_missing(approval_facts(timetable))


# --- approval (9.5) --------------------------------------------------------------------------------------------


def approve(timetable: PartTimeTimetable, by: User) -> Result:
    """Policy 9.5: the headteacher, and only the headteacher, approves; refused naming what is missing. Safe to
    repeat and to race: a conditional update moves it from proposed to active once. The LA is told (9.7)."""
    if not policy.may_approve(r.value for r in user_school_roles(by, timetable.school_id)):
        return refused({"approval": "Only the headteacher approves a part-time timetable (9.5)."})
    if timetable.status is TimetableStatus.ACTIVE:
        return Result(timetable)
    if timetable.status is not TimetableStatus.PROPOSED:
        return refused({"status": "This part-time timetable has ended."})
    missing = missing_before_approval(timetable)
    if missing:
        return refused({"approval": "Before approval, record " + "; ".join(missing) + "."})
    # Re-read under a row lock (PostgreSQL) so two approvals at once give one approval and one LA notice; the
    # notice's dedupe key holds where there is no lock (SQLite). Audited, so changed through the session.
    locked = db.session.scalar(select(PartTimeTimetable).where(PartTimeTimetable.id == timetable.id)
                               .with_for_update().execution_options(populate_existing=True))
    if locked.status is not TimetableStatus.PROPOSED:
        return Result(locked)
    timetable.status = TimetableStatus.ACTIVE
    timetable.approved_by_id = by.id
    timetable.approved_at = clock.now()
    problem = notices.notify_la(timetable, policy.NoticeEvent.START)
    if problem:
        return refused({"local_authority": problem})
    notices.ensure_review_tasks(timetable)
    db.session.commit()
    return Result(timetable)


# --- reviews, extension and the return to full time (9.6) --------------------------------------------------


@dataclass
class ReviewInput:
    held_on: dt.date | None
    pupil_views: str | None
    parent_views: str | None
    decision: str | None
    changes: str | None = None
    extended_to: dt.date | None = None
    extension_reasons: str | None = None


def record_review(timetable: PartTimeTimetable, data: ReviewInput, by: User) -> Result:
    """Policy 9.6: a review with the pupil's and parents' views decides to continue (with changes), extend (only
    here, with reasons) or return to full time. The LA is told of an extension or change and of the end."""
    if timetable.status is not TimetableStatus.ACTIVE:
        return refused({"status": "Only an approved part-time timetable in force is reviewed."})
    errors = policy.review_errors(data.decision, data.pupil_views, data.parent_views)
    if data.held_on is None:
        errors["held_on"] = "Enter the date of the review."
    elif data.held_on > clock.today():
        errors["held_on"] = "The review date cannot be in the future."
    decision = ReviewDecision(data.decision) if "decision" not in errors else None
    if decision is ReviewDecision.EXTEND:
        errors.update(policy.extension_errors(True, data.extended_to, timetable.end_date, data.extension_reasons))
    if errors:
        return refused(errors)
    review = PartTimeTimetableReview(
        school_id=timetable.school_id, timetable_id=timetable.id, held_on=data.held_on,
        pupil_views=data.pupil_views.strip(), parent_views=data.parent_views.strip(), decision=decision,
        changes=(data.changes or "").strip() or None, recorded_by_id=by.id,
        extended_to=data.extended_to if decision is ReviewDecision.EXTEND else None,
        extension_reasons=data.extension_reasons.strip() if decision is ReviewDecision.EXTEND else None)
    db.session.add(review)
    db.session.flush()
    complete_tasks_for(SUBJECT, timetable.id, [TaskKind.PART_TIME_REVIEW], by)
    problem = None
    if decision is ReviewDecision.EXTEND:
        more = policy.default_review_dates(timetable.end_date, data.extended_to, calendar_for_school())
        timetable.review_dates = sorted(set(timetable.review_dates or []) | {d.isoformat() for d in more})
        timetable.end_date = data.extended_to
        problem = notices.notify_la(timetable, policy.NoticeEvent.CHANGE, review_id=review.id)
    elif decision is ReviewDecision.CONTINUE_WITH_CHANGES and review.changes:
        problem = notices.notify_la(timetable, policy.NoticeEvent.CHANGE, review_id=review.id)
    elif decision is ReviewDecision.RETURN_TO_FULL_TIME:
        problem = _end(timetable, data.held_on + dt.timedelta(days=1), "Return to full time agreed at the review.",
                       by)
    if problem:
        return refused({"local_authority": problem})
    db.session.commit()
    return Result(review)


def _end(timetable: PartTimeTimetable, ended_on: dt.date, note: str | None, by: User | None) -> str | None:
    was_active = timetable.status is TimetableStatus.ACTIVE
    timetable.status = TimetableStatus.ENDED
    timetable.ended_on = ended_on
    timetable.end_note = (note or "").strip() or None
    timetable.ended_by_id = by.id if by else None
    complete_tasks_for(SUBJECT, timetable.id, [TaskKind.PART_TIME_REVIEW, TaskKind.PART_TIME_SIX_WEEKS], by)
    return notices.notify_la(timetable, policy.NoticeEvent.END) if was_active else None


def end(timetable: PartTimeTimetable, *, ended_on: dt.date | None, note: str | None, by: User) -> Result:
    """Issue 15 item 8: the return to full time, on the end date or earlier (the register stops producing C2
    from `ended_on`); a proposal not yet approved is withdrawn the same way."""
    if timetable.status is TimetableStatus.ENDED:
        return Result(timetable)
    errors = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date the pupil returns to full time."
    elif ended_on > timetable.end_date + dt.timedelta(days=1):
        errors["ended_on"] = "The return to full time is on or before the day after the end date."
    if errors:
        return refused(errors)
    problem = _end(timetable, ended_on, note, by)
    if problem:
        return refused({"local_authority": problem})
    db.session.commit()
    return Result(timetable)


def total_duration_days(timetable: PartTimeTimetable) -> int:
    last = timetable.end_date if timetable.ended_on is None else timetable.ended_on - dt.timedelta(days=1)
    return max(0, (last - timetable.start_date).days + 1)


def end_at_end_date(today: dt.date) -> int:
    """Issue 15 item 8: a timetable whose end date has passed returns the pupil to full time (the LA is told).
    A missing LA contact does not hold the return up: the notice is then left for the school to send."""
    ended = 0
    for timetable in db.session.scalars(select(PartTimeTimetable).where(
            PartTimeTimetable.status == TimetableStatus.ACTIVE, PartTimeTimetable.end_date < today)):
        _end(timetable, timetable.end_date + dt.timedelta(days=1), "Reached its end date.", None)
        ended += 1
    return ended
