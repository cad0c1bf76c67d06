"""Flexi-schooling (policy section 10): recording a parent's written request and the meeting offered (10.4), the
headteacher's decision and its letter (10.4), the agreement (10.5) and its withdrawal by either side (10.6).

The rules are app.policy.flexi_schooling; termly reviews are app.services.flexi_reviews, the LA's notices
app.services.flexi_notices, the home sessions in the register app.services.flexi_register. Everything runs in
the school's tenant scope; each change commits, or refuses by field with nothing written (app.services.results).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.extensions import db
from app.models import (
    AttendanceSession,
    FlexiAgreement,
    FlexiRequest,
    FlexiRequestStatus,
    Placement,
    PlacementStatus,
    Provider,
    Pupil,
    User,
    WeeklySession,
    WithdrawnBy,
)
from app.permissions import user_school_roles
from app.policy import flexi_schooling as policy
from app.roles import SchoolRoleName
from app.school_calendar import academic_year_of
from app.services.evidence import EvidenceRefused, check_upload
from app.services.figure_rows import read_rows, record_rows
from app.services.flexi_documents import store_document
from app.services.flexi_notices import MissingLAContact, notify_la_of_agreement
from app.services.record_kinds import Kind, load_kinds
from app.services.results import Result, refused
from tenants import require_school_id
from tenants.access import school_record_or_404

MAX_TEXT = 5000


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _long(errors: dict, values: dict) -> None:
    for name, value in values.items():
        if value and len(value) > MAX_TEXT:
            errors[name] = f"Keep this to {MAX_TEXT:,} characters."


# --- access --------------------------------------------------------------------------------------------------


def access_request(request_id: int) -> FlexiRequest:
    """A request of the current school, or 404 (another school's id is not found, never forbidden)."""
    return school_record_or_404(FlexiRequest, request_id)


def access_agreement(agreement_id: int) -> FlexiAgreement:
    return school_record_or_404(FlexiAgreement, agreement_id)


def requests_of_school(pupil_id: int | None = None) -> list[FlexiRequest]:
    query = (select(FlexiRequest).where(FlexiRequest.archived_at.is_(None))
             .options(selectinload(FlexiRequest.pupil), selectinload(FlexiRequest.agreement))
             .order_by(FlexiRequest.received_on.desc(), FlexiRequest.id.desc()))
    if pupil_id is not None:
        query = query.where(FlexiRequest.pupil_id == pupil_id)
    return list(db.session.scalars(query))


def agreements_of_school(pupil_id: int | None = None, current_only: bool = False) -> list[FlexiAgreement]:
    query = (select(FlexiAgreement).where(FlexiAgreement.archived_at.is_(None))
             .options(joinedload(FlexiAgreement.pupil))  # with its pupil: one query however many (issue 18)
             .order_by(FlexiAgreement.start_date.desc(), FlexiAgreement.id.desc()))
    if pupil_id is not None:
        query = query.where(FlexiAgreement.pupil_id == pupil_id)
    if current_only:
        today = clock.today()
        query = query.where((FlexiAgreement.end_date.is_(None)) | (FlexiAgreement.end_date >= today))
    return list(db.session.scalars(query))


def of_pupil(pupil_id: int) -> dict[str, list]:
    """The pupil page's section: the pupil's requests and agreements, as the two lists above give them, read in one
    statement (app.services.record_kinds; issue 18)."""
    return load_kinds({
        "requests": Kind(FlexiRequest, (FlexiRequest.pupil_id == pupil_id, FlexiRequest.archived_at.is_(None)),
                         ("-received_on", "-id")),
        "agreements": Kind(FlexiAgreement, (FlexiAgreement.pupil_id == pupil_id,
                                            FlexiAgreement.archived_at.is_(None)), ("-start_date", "-id"))})


# --- the written request (10.4) ----------------------------------------------------------------------------------


@dataclass
class RequestInput:
    pupil_id: int | None
    received_on: dt.date | None
    requested_by: str | None
    request_summary: str | None
    proposed_pattern: list = field(default_factory=list)  # "mon_am" / {"weekday": .., "block": ..} entries
    meeting_offered_on: dt.date | None = None


def _pattern(entries, errors: dict, name: str) -> list[str]:
    try:
        slots = policy.home_slots(policy.parse_pattern(entries or []))
    except policy.PatternRefused as exc:
        errors[name] = str(exc)
        return []
    problem = policy.pattern_problem(slots)
    if problem:
        errors[name] = problem
    return slots


def earlier_request_dates(pupil_id: int) -> list[dt.date]:
    return list(db.session.scalars(select(FlexiRequest.received_on).where(FlexiRequest.pupil_id == pupil_id)))


def record_request(data: RequestInput, by: User, document: tuple[str | None, bytes] | None = None) -> Result:
    """10.4: a request received in writing (its date, the document when uploaded), the proposed pattern and the
    meeting offered. A second request for the same pupil in the same academic year is refused, naming the
    first (the unique key settles two at once the same way)."""
    errors: dict[str, str] = {}
    today = clock.today()
    pupil = db.session.get(Pupil, data.pupil_id) if data.pupil_id else None
    if pupil is None or pupil.archived_at is not None:
        errors["pupil_id"] = "Choose the pupil the request is for."
    if data.received_on is None:
        errors["received_on"] = "Enter the date the written request was received."
    elif data.received_on > today:
        errors["received_on"] = "The date received cannot be in the future."
    requested_by, summary = _clean(data.requested_by), _clean(data.request_summary)
    if not requested_by:
        errors["requested_by"] = "Enter the parent or carer who made the request."
    elif len(requested_by) > 200:
        errors["requested_by"] = "Keep the name to 200 characters."
    if not summary:
        errors["request_summary"] = "Summarise what the written request asks for and why."
    _long(errors, {"request_summary": summary})
    slots = _pattern(data.proposed_pattern, errors, "proposed_pattern")
    if data.meeting_offered_on and data.received_on and data.meeting_offered_on < data.received_on:
        errors["meeting_offered_on"] = "The meeting is offered on or after the request was received."
    upload = None
    if document is not None:
        try:
            upload = check_upload(*document)
        except EvidenceRefused as exc:
            errors["document"] = str(exc)
    if pupil is not None and data.received_on and "received_on" not in errors:
        problem = policy.second_request_problem(data.received_on, earlier_request_dates(pupil.id))
        if problem:
            errors["received_on"] = problem
    if errors:
        return refused(errors)
    request = FlexiRequest(
        pupil_id=pupil.id, academic_year=academic_year_of(data.received_on), received_on=data.received_on,
        requested_by=requested_by, request_summary=summary, proposed_home_sessions=slots,
        meeting_offered_on=data.meeting_offered_on, recorded_by_id=by.id, status=FlexiRequestStatus.RECEIVED)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        return refused({"received_on": policy.second_request_problem(
            data.received_on, earlier_request_dates(pupil.id)) or "A request for this pupil exists this year."})
    if upload is not None:
        store_document(request, upload)
    db.session.commit()
    return Result(record=request)


def record_meeting(request: FlexiRequest, offered_on: dt.date | None, held_on: dt.date | None,
                   note: str | None) -> Result:
    """10.4: "will offer to meet with parents or carers to discuss the matter": when it was offered and held."""
    errors: dict[str, str] = {}
    today = clock.today()
    if offered_on is None:
        errors["meeting_offered_on"] = "Enter the date the meeting was offered."
    elif offered_on < request.received_on:
        errors["meeting_offered_on"] = "The meeting is offered on or after the request was received."
    if held_on is not None:
        if held_on > today:
            errors["meeting_held_on"] = "The meeting cannot have been held in the future."
        elif offered_on is not None and held_on < offered_on:
            errors["meeting_held_on"] = "The meeting is held on or after it was offered."
    _long(errors, {"meeting_note": note})
    if errors:
        return refused(errors)
    request.meeting_offered_on, request.meeting_held_on = offered_on, held_on
    request.meeting_note = _clean(note)
    db.session.commit()
    return Result(record=request)


# --- the decision (10.4) -------------------------------------------------------------------------------------------


def is_headteacher(user: User) -> bool:
    return SchoolRoleName.HEADTEACHER in user_school_roles(user, require_school_id())


def decide(request: FlexiRequest, approve: bool | None, reasons: str | None, by: User,
           decided_on: dt.date | None = None) -> Result:
    """10.4: the headteacher approves or refuses, with reasons, once: there is no right of appeal. The row is
    locked while it is decided, so two decisions at once make one."""
    db.session.refresh(request, with_for_update=True)
    errors = policy.decision_problems(is_headteacher(by), request.status is not FlexiRequestStatus.RECEIVED,
                                      approve, reasons)
    _long(errors, {"reasons": reasons})
    if errors:
        return refused(errors)
    request.status = FlexiRequestStatus.APPROVED if approve else FlexiRequestStatus.REFUSED
    request.decided_on = decided_on or clock.today()
    request.decided_by_id = by.id
    request.decision_reasons = _clean(reasons)
    db.session.commit()
    return Result(record=request)


def record_letter_sent(request: FlexiRequest, sent_on: dt.date | None, by: User) -> Result:
    """10.4: "The school's decision will be communicated in writing": the letter recorded as sent."""
    errors: dict[str, str] = {}
    if request.status is FlexiRequestStatus.RECEIVED:
        errors["sent_on"] = "The letter is sent once the headteacher has decided."
    elif sent_on is None:
        errors["sent_on"] = "Enter the date the letter was sent."
    elif sent_on > clock.today() or (request.decided_on and sent_on < request.decided_on):
        errors["sent_on"] = "The letter is sent between the decision and today."
    if errors:
        return refused(errors)
    request.letter_sent_on, request.letter_sent_by_id = sent_on, by.id
    db.session.commit()
    return Result(record=request)


# --- the agreement (10.5) ------------------------------------------------------------------------------------------


@dataclass
class AgreementInput:
    pupil_needs: str | None = None
    rationale: str | None = None
    start_date: dt.date | None = None
    home_pattern: list | None = None  # None: the pattern the parent proposed
    home_education_provision: str | None = None
    section_7_how_met: str | None = None
    welfare_responsible_at_home: str | None = None
    school_curriculum: str | None = None
    school_assessments: str | None = None
    school_send_provision: str | None = None


def provider_sessions_of(pupil_id: int) -> dict[str, str]:
    """The pupil's weekly sessions at providers ("fri_am" -> the provider's name), of placements planned or
    running."""
    rows = db.session.execute(
        select(WeeklySession.weekday, WeeklySession.session, Provider.name)
        .join(Placement, Placement.id == WeeklySession.placement_id)
        .join(Provider, Provider.id == Placement.provider_id)
        .where(Placement.pupil_id == pupil_id, Placement.archived_at.is_(None),
               Placement.status.in_((PlacementStatus.PLANNED, PlacementStatus.ACTIVE))))
    return {f"{policy.WEEKDAY_KEYS[weekday]}_{session.value}": name for weekday, session, name in rows}


def _running_agreement(pupil_id: int, start_date: dt.date | None) -> FlexiAgreement | None:
    """The pupil's agreement still running on the new one's start (no end, or an end on or after it)."""
    on = start_date or clock.today()
    return db.session.scalar(select(FlexiAgreement).where(
        FlexiAgreement.pupil_id == pupil_id, FlexiAgreement.archived_at.is_(None),
        (FlexiAgreement.end_date.is_(None)) | (FlexiAgreement.end_date >= on)).limit(1))


_AGREEMENT_TEXT = ("pupil_needs", "rationale", "home_education_provision", "section_7_how_met",
                   "welfare_responsible_at_home", "school_curriculum", "school_assessments", "school_send_provision")


def make_agreement(request: FlexiRequest, data: AgreementInput, by: User) -> Result:
    """10.5: the agreement drawn up once the request is approved, holding what the policy lists, the time at home
    in whole blocks. One per request (the unique key). The LA is told of its start (10.7) in the same commit."""
    values = {name: _clean(getattr(data, name)) for name in _AGREEMENT_TEXT}
    errors = policy.agreement_problems(values, data.start_date, request.status is FlexiRequestStatus.APPROVED,
                                       request.decided_on)
    if request.agreement is not None:
        errors["request"] = "This request already has its agreement."
    if values["welfare_responsible_at_home"] and len(values["welfare_responsible_at_home"]) > 200:
        errors["welfare_responsible_at_home"] = "Keep this to 200 characters."
    _long(errors, values)
    pattern = data.home_pattern if data.home_pattern is not None else request.proposed_home_sessions
    slots = _pattern(pattern, errors, "home_pattern")
    clash = policy.provision_clash(slots, provider_sessions_of(request.pupil_id))
    if clash:
        errors.setdefault("home_pattern", clash)
    running = _running_agreement(request.pupil_id, data.start_date)
    if running is not None:
        errors.setdefault("request", f"The pupil's agreement from {running.start_date:%-d %B %Y} is still running: "
                                     "record its withdrawal first (one arrangement at a time).")
    if errors:
        return refused(errors)
    agreement = FlexiAgreement(request_id=request.id, pupil_id=request.pupil_id, start_date=data.start_date,
                               home_sessions=slots, agreed_on=clock.today(), agreed_by_id=by.id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(agreement)
    except IntegrityError:
        return refused({"request": "This request already has its agreement."})
    try:
        notify_la_of_agreement(agreement, "start")
    except MissingLAContact as exc:
        return refused({"local_authority": str(exc)})
    db.session.commit()
    return Result(record=agreement)


# --- withdrawal (10.6) -------------------------------------------------------------------------------------------


@dataclass
class WithdrawalInput:
    withdrawn_by: str | None
    notice_given_on: dt.date | None
    end_date: dt.date | None
    reason: str | None = None


def withdraw(agreement: FlexiAgreement, data: WithdrawalInput, by: User) -> Result:
    """10.6: either side withdraws with notice; below four weeks a reason is required. The arrangement ends on the
    end date: home sessions already made for later days go (the register returns to normal), and the LA is told
    of the end (10.7) in the same commit. Locked while recorded, so two withdrawals at once make one."""
    db.session.refresh(agreement, with_for_update=True)
    errors = policy.withdrawal_problems(data.withdrawn_by, data.notice_given_on, data.end_date, data.reason,
                                        agreement.start_date, agreement.withdrawn_by is not None)
    if data.notice_given_on and data.notice_given_on > clock.today():
        errors.setdefault("notice_given_on", "The notice date cannot be in the future.")
    _long(errors, {"reason": data.reason})
    if errors:
        return refused(errors)
    agreement.withdrawn_by = WithdrawnBy(data.withdrawn_by)
    agreement.notice_given_on, agreement.end_date = data.notice_given_on, data.end_date
    agreement.withdrawal_reason = _clean(data.reason)
    agreement.withdrawal_recorded_at, agreement.withdrawal_recorded_by_id = clock.now(), by.id
    for session in db.session.scalars(select(AttendanceSession).where(
            AttendanceSession.flexi_agreement_id == agreement.id, AttendanceSession.day > data.end_date)):
        db.session.delete(session)  # made before the end was known: not a record of what was expected
    try:
        notify_la_of_agreement(agreement, "end")
    except MissingLAContact as exc:
        return refused({"local_authority": str(exc)})
    db.session.commit()
    return Result(record=agreement)


# --- the school and trust views ------------------------------------------------------------------------------------


@dataclass
class FlexiCounts:
    requests_open: int = 0
    agreements_current: int = 0


def flexi_count_selects(school_ids: list[int]) -> list[Select]:
    """Open requests and current agreements per school, as `record_rows` SELECTs: one UNION ALL with the school
    dashboard's other cards (issue 18)."""
    today = clock.today()
    return [record_rows("flexi.requests_open", FlexiRequest.school_id, numbers=(func.count(),))
            .where(FlexiRequest.school_id.in_(school_ids), FlexiRequest.status == FlexiRequestStatus.RECEIVED,
                   FlexiRequest.archived_at.is_(None)).group_by(FlexiRequest.school_id),
            record_rows("flexi.agreements_current", FlexiAgreement.school_id, numbers=(func.count(),))
            .where(FlexiAgreement.school_id.in_(school_ids), FlexiAgreement.archived_at.is_(None),
                   FlexiAgreement.start_date <= today,
                   (FlexiAgreement.end_date.is_(None)) | (FlexiAgreement.end_date >= today))
            .group_by(FlexiAgreement.school_id)]


def flexi_counts(school_ids: list[int] | None = None, rows: dict[str, list] | None = None) -> dict[int, FlexiCounts]:
    """Open requests and current agreements per school: the current school's in its scope, or several schools'
    in the trust scope (the caller enters it, audited). One statement however many schools (issue 18); none
    given `rows`, the `flexi_count_selects` already read."""
    ids = school_ids if school_ids is not None else [require_school_id()]
    rows = read_rows(flexi_count_selects(ids)) if rows is None else rows
    counts = {school_id: FlexiCounts() for school_id in ids}
    for what in ("requests_open", "agreements_current"):
        for row in rows[f"flexi.{what}"]:
            setattr(counts[row.school_id], what, row.number_1)
    return counts
