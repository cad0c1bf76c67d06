"""Commissioning placements (7.3-7.12), the readiness gate, starting (and telling the LA, 7.12), the pupil's
week, cost, off-site direction (section 6) and ending (8.7).

Everything runs in the current school's scope (a request under /<school>/ or a job in `in_school`). Each change
checks its input first and returns the problems by field; only a change with no problem is written, in one
commit (nothing half-saved). The rules themselves are in `app.policy.placement_readiness` and
`app.policy.off_site_direction`; this module gathers the facts they need and writes what they allow.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import clock
from app.extensions import db
from app.services import results
from app.models import (
    ArrangedBy,
    CostUnit,
    Involvement,
    LAContactKind,
    Notification,
    OffSiteDirection,
    ParentConsultation,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    ProviderKind,
    ProviderSite,
    Pupil,
    PupilRiskAssessment,
    Referral,
    School,
    SessionOfDay,
    User,
    WeeklySession,
)
from app.policy import off_site_direction as direction_rules
from app.policy.placement_readiness import (
    AGREEMENT_FIELDS,
    AgreementFacts,
    DirectionFacts,
    Missing,
    PlacementFacts,
    readiness,
)
from app.school_calendar import SchoolCalendar
from tenants import require_school_id
from tenants.access import school_record_or_404

OPEN_STATUSES = (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
NOON = dt.time(12, 0)


@dataclass
class Result(results.Result):
    """The saved record, or the problems by field (and then nothing was written)."""

    missing: list[Missing] = field(default_factory=list)  # start refused: what is still missing

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing


def _refused(errors: dict[str, str]) -> Result:
    db.session.rollback()
    return Result(errors=errors)


# --- finding records (another school's id is a 404, never a 403) ----------------------------------------------


def access_placement(placement_id: int) -> Placement:
    return school_record_or_404(Placement, placement_id)


def access_pupil(pupil_id: int) -> Pupil:
    return school_record_or_404(Pupil, pupil_id)


def access_direction(direction_id: int) -> OffSiteDirection:
    return school_record_or_404(OffSiteDirection, direction_id)


def school_placements() -> dict[PlacementStatus, list[Placement]]:
    """The school's placements by status, newest start first."""
    rows = db.session.scalars(
        select(Placement).where(Placement.archived_at.is_(None))
        .options(selectinload(Placement.pupil), selectinload(Placement.provider))
        .order_by(Placement.start_date.desc(), Placement.id.desc()))
    grouped: dict[PlacementStatus, list[Placement]] = {s: [] for s in PlacementStatus}
    for placement in rows:
        grouped[PlacementStatus(placement.status)].append(placement)
    return grouped


def placements_of_pupil(pupil: Pupil) -> list[Placement]:
    return list(db.session.scalars(
        select(Placement).where(Placement.pupil_id == pupil.id, Placement.archived_at.is_(None))
        .options(selectinload(Placement.provider)).order_by(Placement.start_date.desc(), Placement.id.desc())))


def school_pupils() -> list[Pupil]:
    return list(db.session.scalars(select(Pupil).where(Pupil.archived_at.is_(None))
                                   .order_by(Pupil.last_name, Pupil.first_name)))


def providers_offered(current: Provider | None = None) -> list[Provider]:
    """Providers a new placement may be commissioned with: those whose status allows new placements (vetted,
    not suspended, not to be reported under 7.2: 7.8, 7.9), and the school's own on-site provision; another
    school's on-site provision never. The provider already chosen stays on the list."""
    from app.services.providers import statuses_for

    school_id = require_school_id()
    providers = list(db.session.scalars(select(Provider).where(Provider.archived_at.is_(None))
                                        .options(selectinload(Provider.sites)).order_by(Provider.name)))
    statuses = statuses_for([p for p in providers if p.kind != ProviderKind.ON_SITE], clock.today())
    offered = []
    for provider in providers:
        if current is not None and provider.id == current.id:
            offered.append(provider)
        elif provider.kind == ProviderKind.ON_SITE:
            if provider.owning_school_id == school_id and not provider.is_suspended:
                offered.append(provider)
        elif statuses[provider.id].allows_new_placements:
            offered.append(provider)
    return offered


# --- creating and editing a planned placement ----------------------------------------------------------------


@dataclass
class PlacementInput:
    pupil_id: int | None
    provider_id: int | None
    provider_site_id: int | None
    start_date: dt.date | None
    planned_end_date: dt.date | None
    arranged_by: str | None
    is_off_site_direction: bool = False
    online_justification: str | None = None


def _placement_errors(data: PlacementInput, current: Placement | None) -> tuple[dict[str, str], Pupil | None,
                                                                                 Provider | None]:
    errors: dict[str, str] = {}
    pupil = db.session.get(Pupil, data.pupil_id) if data.pupil_id else None
    if pupil is None or pupil.is_archived:
        errors["pupil_id"] = "Choose the pupil."
    provider = db.session.get(Provider, data.provider_id) if data.provider_id else None
    if provider is None or provider.is_archived:
        errors["provider_id"] = "Choose the provider."
    elif provider.kind == ProviderKind.ON_SITE and provider.owning_school_id != require_school_id():
        errors["provider_id"] = "That on-site provision belongs to another school."
    elif provider.is_suspended and (current is None or current.provider_id != provider.id):
        errors["provider_id"] = "That provider is suspended and takes no new placements (7.9)."
    if data.provider_site_id and provider is not None:
        site = db.session.get(ProviderSite, data.provider_site_id)
        if site is None or site.provider_id != provider.id:
            errors["provider_site_id"] = "Choose one of the provider's own sites."
    if data.start_date is None:
        errors["start_date"] = "Enter the start date."
    elif data.start_date.weekday() >= 5:
        errors["start_date"] = f"{data.start_date:%A} is not a school day: start on a weekday."
    if data.planned_end_date is not None and data.start_date is not None and data.planned_end_date <= data.start_date:
        errors["planned_end_date"] = "The planned end must be after the start date."
    if data.arranged_by not in {a.value for a in ArrangedBy}:
        errors["arranged_by"] = "Choose who arranged the provision."
    justification = (data.online_justification or "").strip()
    if provider is not None and provider.kind == ProviderKind.ONLINE_ONLY and len(justification) > 5000:
        errors["online_justification"] = "Keep the justification to 5,000 characters."
    return errors, pupil, provider


def _apply(placement: Placement, data: PlacementInput, pupil: Pupil, provider: Provider) -> None:
    placement.pupil_id = pupil.id
    placement.provider_id = provider.id
    placement.provider_site_id = data.provider_site_id or None
    placement.start_date = data.start_date
    placement.planned_end_date = data.planned_end_date
    placement.arranged_by = ArrangedBy(data.arranged_by)
    placement.is_off_site_direction = bool(data.is_off_site_direction)
    placement.online_justification = (data.online_justification or "").strip() or None


def create_placement(data: PlacementInput, by: User) -> Result:
    """A planned placement: the readiness gate then says what is still missing before it may start."""
    errors, pupil, provider = _placement_errors(data, None)
    if errors:
        return _refused(errors)
    placement = Placement(school_id=require_school_id(), status=PlacementStatus.PLANNED)
    _apply(placement, data, pupil, provider)
    db.session.add(placement)
    db.session.commit()
    return Result(record=placement)


def update_placement(placement: Placement, data: PlacementInput) -> Result:
    """Change a planned placement (who, where, when). A started placement keeps these: end it instead."""
    if placement.status != PlacementStatus.PLANNED:
        return _refused({"start_date": "Only a planned placement can be changed here."})
    data.pupil_id = placement.pupil_id  # the pupil is what the placement is for: never moved to another
    errors, pupil, provider = _placement_errors(data, placement)
    if not errors and placement.off_site_direction is not None and not data.is_off_site_direction:
        errors["is_off_site_direction"] = "An off-site direction is recorded for this placement: it stays one."
    if errors:
        return _refused(errors)
    _apply(placement, data, pupil, provider)
    db.session.commit()
    return Result(record=placement)


def cancel_placement(placement: Placement, by: User) -> Result:
    """A planned placement that will not go ahead; kept, marked cancelled (records are never deleted)."""
    if placement.status != PlacementStatus.PLANNED:
        return _refused({"status": "Only a planned placement can be cancelled; end a started one instead."})
    placement.status = PlacementStatus.CANCELLED
    db.session.commit()
    return Result(record=placement)


def _editable(placement: Placement) -> dict[str, str]:
    if placement.status not in OPEN_STATUSES:
        return {"status": f"This placement is {placement.status.value}: it can no longer be changed."}
    return {}


# --- the agreement (7.11) ------------------------------------------------------------------------------------

AGREEMENT_TEXT_FIELDS = tuple(name for name, _ in AGREEMENT_FIELDS
                              if name not in ("cost_amount", "cost_unit", "review_every_weeks", "agreed_on"))


def save_agreement(placement: Placement, values: dict) -> Result:
    """Write the commissioning agreement (created on first save). Fields may be left for later: the readiness
    gate lists what is still missing. What is given must be sound."""
    errors = _editable(placement)
    amount = values.get("cost_amount")
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        except InvalidOperation:
            errors["cost_amount"] = "Enter the cost as an amount in pounds, for example 45.00."
        else:
            if amount < 0 or amount >= Decimal("100000000"):
                errors["cost_amount"] = "Enter a cost from 0 to 99,999,999.99."
    else:
        amount = None
    unit = values.get("cost_unit") or None
    if unit is not None and unit not in {u.value for u in CostUnit}:
        errors["cost_unit"] = "Choose what the cost is per."
    weeks = values.get("review_every_weeks")
    if weeks not in (None, "") and (not isinstance(weeks, int) or not 1 <= weeks <= 52):
        errors["review_every_weeks"] = "Enter how many weeks apart the reviews are, from 1 to 52."
    qa_weeks = values.get("qa_visit_every_weeks")
    if qa_weeks not in (None, "") and (not isinstance(qa_weeks, int) or not 1 <= qa_weeks <= 52):
        errors["qa_visit_every_weeks"] = "Enter how many weeks apart the quality assurance visits are, from 1 to 52."
    agreed_on = values.get("agreed_on")
    if agreed_on is not None and agreed_on > clock.today():
        errors["agreed_on"] = "The agreement cannot be dated in the future."
    if errors:
        return _refused(errors)
    agreement = placement.agreement
    if agreement is None:
        agreement = PlacementAgreement(school_id=placement.school_id, placement=placement)
        db.session.add(agreement)
    for name in AGREEMENT_TEXT_FIELDS:
        setattr(agreement, name, (values.get(name) or "").strip() or None)
    agreement.cost_amount = amount
    agreement.cost_unit = CostUnit(unit) if unit else None
    agreement.review_every_weeks = weeks or None
    agreement.qa_visit_every_weeks = qa_weeks or None
    agreement.agreed_on = agreed_on
    db.session.commit()
    return Result(record=agreement)


# --- the weekly pattern --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    weekday: int
    session: str
    starts_at: dt.time | None
    ends_at: dt.time | None


def session_errors(sessions: Iterable[SessionInput]) -> dict[str, str]:
    """Problems with a weekly pattern, keyed "<weekday>-<am|pm>" (or "sessions" for the whole pattern)."""
    errors: dict[str, str] = {}
    seen: set[tuple[int, str]] = set()
    for s in sessions:
        key = f"{s.weekday}-{s.session}"
        if not isinstance(s.weekday, int) or not 0 <= s.weekday <= 4:
            errors["sessions"] = "Sessions are Monday to Friday."
            continue
        name = f"{WEEKDAYS[s.weekday]} {str(s.session).upper()}"
        if s.session not in {x.value for x in SessionOfDay}:
            errors["sessions"] = "Each session is a morning (AM) or an afternoon (PM)."
            continue
        if (s.weekday, s.session) in seen:
            errors[key] = f"{name} is given twice."
            continue
        seen.add((s.weekday, s.session))
        if s.starts_at is None or s.ends_at is None:
            errors[key] = f"Enter the start and end times of {name}."
        elif s.starts_at >= s.ends_at:
            errors[key] = f"{name} must end after it starts."
        elif s.session == SessionOfDay.AM and s.starts_at >= NOON:
            errors[key] = f"{name} is a morning session: it starts before 12:00."
        elif s.session == SessionOfDay.PM and s.ends_at <= NOON:
            errors[key] = f"{name} is an afternoon session: it ends after 12:00."
    return errors


def set_weekly_pattern(placement: Placement, sessions: list[SessionInput]) -> Result:
    """Replace the weekly pattern as a whole: every session sound, or nothing changes."""
    errors = _editable(placement) or session_errors(sessions)
    if errors:
        return _refused(errors)
    for old in list(placement.weekly_sessions):
        db.session.delete(old)
    db.session.flush()
    for s in sorted(sessions, key=lambda s: (s.weekday, s.session)):
        db.session.add(WeeklySession(school_id=placement.school_id, placement_id=placement.id, weekday=s.weekday,
                                     session=SessionOfDay(s.session), starts_at=s.starts_at, ends_at=s.ends_at))
    db.session.commit()
    db.session.refresh(placement)
    return Result(record=placement)


def weekly_hours(placement: Placement) -> float:
    return round(sum(s.hours for s in placement.weekly_sessions), 2)


# --- key information shared (7.10) --------------------------------------------------------------------------


def record_key_information(placement: Placement, shared_on: dt.date | None, note: str | None, by: User) -> Result:
    errors = _editable(placement)
    if shared_on is None:
        errors["shared_on"] = "Enter the date the information was shared."
    elif shared_on > clock.today():
        errors["shared_on"] = "The date cannot be in the future."
    if not (note or "").strip():
        errors["note"] = "Say what was shared and how (SEN included)."
    if errors:
        return _refused(errors)
    placement.key_information_shared_on = shared_on
    placement.key_information_note = note.strip()
    placement.key_information_shared_by_id = by.id
    db.session.commit()
    return Result(record=placement)


# --- the readiness gate ----------------------------------------------------------------------------------------


def _calendar() -> SchoolCalendar:
    from app.services.calendar import calendar_for_school

    return calendar_for_school()


def registration_breach(placement: Placement) -> bool:
    """7.2, across the whole trust: would this placement make its provider one that must be registered?"""
    from app.services.registration import placement_would_breach

    assessment = placement_would_breach(placement.provider_id, placement.pupil, weekly_hours(placement),
                                        exclude_placement_id=placement.id)
    return bool(assessment is not None and assessment.must_report)


def placement_facts(placement: Placement, today: dt.date | None = None,
                    calendar: SchoolCalendar | None = None) -> PlacementFacts:
    """Everything the readiness gate needs, read from the school's records."""
    from app.policy import pre_placement
    from app.services.providers import provider_status

    today = today or clock.today()
    pupil, provider = placement.pupil, placement.provider
    vetting = provider_status(provider, today).vetting
    referral = db.session.scalars(select(Referral).where(Referral.pupil_id == pupil.id,
                                                         Referral.archived_at.is_(None))
                                  .order_by(Referral.proposed_on.desc(), Referral.id.desc()).limit(1)).first()
    assessments = db.session.scalars(select(PupilRiskAssessment).where(PupilRiskAssessment.pupil_id == pupil.id,
                                                                       PupilRiskAssessment.archived_at.is_(None)))
    consultations = db.session.scalars(select(ParentConsultation).where(
        ParentConsultation.pupil_id == pupil.id, ParentConsultation.archived_at.is_(None),
        (ParentConsultation.placement_id == placement.id) | ParentConsultation.placement_id.is_(None)))
    involvements = db.session.scalars(select(Involvement).where(Involvement.pupil_id == pupil.id,
                                                                Involvement.archived_at.is_(None)))
    agreement = placement.agreement
    direction = placement.off_site_direction
    direction_facts = None
    if direction is not None:
        direction_facts = DirectionFacts(
            governing_body_approved_on=direction.governing_body_approved_on, review_on=direction.review_on,
            ends_by=direction.ends_by, parents_letter_sent_on=direction.parents_letter_sent_on,
            latest_letter_date=direction_rules.latest_letter_date(placement.start_date, calendar or _calendar()))
    return PlacementFacts(
        placement_id=placement.id, pupil_id=pupil.id, provider_id=provider.id, start_date=placement.start_date,
        today=today, provider_kind=ProviderKind(provider.kind).value,
        provider_vetting=vetting.value if vetting is not None else None,
        provider_suspended=provider.is_suspended,
        registration_breach=registration_breach(placement),
        online_justification=placement.online_justification,
        needs_analysis_missing=pre_placement.needs_analysis_missing(referral),
        risk_assessment_missing=pre_placement.risk_assessment_missing(
            pre_placement.latest_assessment(assessments), placement.start_date),
        parent_consultation_missing=pre_placement.parent_consultation_missing(consultations),
        involvement_missing=pre_placement.involvement_missing(pupil, involvements),
        pupil_has_sen=bool(pupil.has_ehcp or pupil.sen_support), pupil_fsm_eligible=pupil.fsm_eligible,
        pupil_year_group=pupil.year_group, key_information_shared_on=placement.key_information_shared_on,
        agreement=None if agreement is None else AgreementFacts(
            **{name: getattr(agreement, name) for name, _ in AGREEMENT_FIELDS}),
        weekly_session_count=len(placement.weekly_sessions),
        is_off_site_direction=placement.is_off_site_direction, direction=direction_facts,
    )


def placement_readiness(placement: Placement) -> list[Missing]:
    """What is still missing before the placement may start (empty: ready)."""
    return readiness(placement_facts(placement))


# --- starting, and telling the LA (7.12) ---------------------------------------------------------------------


def la_recipients(pupil: Pupil) -> list[tuple[str, LAContactKind]]:
    """7.12: the LA's AP notifications contact; 7.6: the Virtual School Head for a looked-after pupil; 7.5, 8.8:
    the LA SEND team for a pupil with an EHCP. Each as (dedupe suffix, contact kind)."""
    recipients = [("la", LAContactKind.AP_NOTIFICATIONS)]
    if pupil.is_looked_after:
        recipients.append(("vsh", LAContactKind.VIRTUAL_SCHOOL_HEAD))
    if pupil.has_ehcp:
        recipients.append(("send", LAContactKind.SEND))
    return recipients


def commissioned_dedupe_key(placement: Placement, suffix: str) -> str:
    return f"placement-commissioned:{placement.id}:{suffix}"


def _notice_context(placement: Placement, school: School) -> dict:
    pupil, provider = placement.pupil, placement.provider
    site = db.session.get(ProviderSite, placement.provider_site_id) if placement.provider_site_id else None
    return {
        "school_name": school.name, "school_urn": school.urn,
        "pupil_name": f"{pupil.first_name} {pupil.last_name}", "pupil_upn": pupil.upn,
        "pupil_date_of_birth": f"{pupil.date_of_birth:%-d %B %Y}", "pupil_year_group": pupil.year_group,
        "has_ehcp": pupil.has_ehcp, "is_looked_after": pupil.is_looked_after,
        "provider_name": provider.name,
        "provider_registration": str(getattr(provider.registration_status, "value", provider.registration_status)),
        "provider_address": site.address if site else None,
        "start_date": f"{placement.start_date:%A %-d %B %Y}",
        "planned_end_date": f"{placement.planned_end_date:%-d %B %Y}" if placement.planned_end_date else None,
        "sessions": [f"{WEEKDAYS[s.weekday]} {s.session.value.upper()} {s.starts_at:%H:%M}-{s.ends_at:%H:%M}"
                     for s in placement.weekly_sessions],
        "weekly_hours": weekly_hours(placement),
        "is_off_site_direction": placement.is_off_site_direction,
    }


def notify_la_of_placement(placement: Placement) -> list[Notification]:
    """Queue the 7.12 notices in the caller's transaction: once per placement per recipient (dedupe key)."""
    from app.services.notifications import notify_local_authority

    school = db.session.get(School, placement.school_id)
    context = _notice_context(placement, school)
    label = f"Placement of {placement.pupil.initials} at {placement.provider.name}"
    return [notify_local_authority(school, kind, template="placement_commissioned", context=context,
                                   dedupe_key=commissioned_dedupe_key(placement, suffix), about_type="pupil",
                                   about_id=placement.pupil_id, about_label=label[:200], pupil=placement.pupil)
            for suffix, kind in la_recipients(placement.pupil)]


def notices_for(placement: Placement) -> list[Notification]:
    """The 7.12 notices this placement sent (the pupil's timeline finds them by about_type 'pupil')."""
    prefix = commissioned_dedupe_key(placement, "")
    return list(db.session.scalars(select(Notification).where(Notification.dedupe_key.startswith(prefix))
                                   .order_by(Notification.id)))


def needs_la_notice(placement: Placement) -> bool:
    """7.12 speaks of off-site placements: anything not on the school's own site (online-only included)."""
    return placement.provider.kind != ProviderKind.ON_SITE


def start_placement(placement: Placement, user: User) -> Result:
    """Start a planned placement once nothing is missing; an off-site one tells the LA (7.12) in the same
    transaction. Refused, with the missing list, when it is not ready."""
    from app.services.notifications import MissingLAContact

    if placement.status == PlacementStatus.ACTIVE:
        return _refused({"status": "This placement has already started."})
    if placement.status != PlacementStatus.PLANNED:
        return _refused({"status": f"This placement is {placement.status.value}: it cannot start."})
    missing = placement_readiness(placement)
    if missing:
        db.session.rollback()
        return Result(missing=missing)
    placement.status = PlacementStatus.ACTIVE
    placement.started_at = clock.now()
    placement.started_by_id = user.id
    if needs_la_notice(placement):
        try:
            notify_la_of_placement(placement)
        except MissingLAContact as exc:
            return _refused({"status": str(exc)})
    db.session.commit()
    return Result(record=placement)


# --- ending (8.7) --------------------------------------------------------------------------------------------


@dataclass
class EndInput:
    ended_on: dt.date | None
    progress: str | None
    achievements: str | None
    destination: str | None
    pupil_assessment: str | None


def end_placement(placement: Placement, user: User, data: EndInput) -> Result:
    """8.7: the end is recorded with progress, achievements, the destination (required) and the pupil's own
    assessment."""
    errors: dict[str, str] = {}
    if placement.status != PlacementStatus.ACTIVE:
        errors["status"] = "Only a placement that has started can be ended; cancel a planned one instead."
    if data.ended_on is None:
        errors["ended_on"] = "Enter the date the placement ended."
    elif data.ended_on < placement.start_date:
        errors["ended_on"] = "The end cannot be before the placement started."
    elif data.ended_on > clock.today():
        errors["ended_on"] = "The end cannot be in the future: record it on or after the last day."
    destination = (data.destination or "").strip()
    if not destination:
        errors["destination"] = "Enter the pupil's destination after the placement (8.7)."
    elif len(destination) > 200:
        errors["destination"] = "Keep the destination to 200 characters."
    if errors:
        return _refused(errors)
    placement.status = PlacementStatus.ENDED
    placement.ended_on = data.ended_on
    placement.end_progress = (data.progress or "").strip() or None
    placement.end_achievements = (data.achievements or "").strip() or None
    placement.end_destination = destination
    placement.end_pupil_assessment = (data.pupil_assessment or "").strip() or None
    placement.ended_by_id = user.id
    db.session.commit()
    return Result(record=placement)


# --- the pupil's week (7.3) and cost -------------------------------------------------------------------------


@dataclass
class WeekCell:
    weekday: int
    session: str
    at_provision: list[tuple[Placement, WeeklySession]]

    @property
    def at_school(self) -> bool:
        return not self.at_provision


@dataclass
class PupilWeek:
    pupil: Pupil
    cells: list[WeekCell]  # Monday AM, Monday PM, ... Friday PM
    provision_hours: float
    school_session_hours: float  # the benchmark's hours per school session
    school_sessions: int
    full_time_hours: float | None
    key_stage: str | None

    @property
    def school_hours(self) -> float:
        return round(self.school_sessions * self.school_session_hours, 2)

    @property
    def total_hours(self) -> float:
        return round(self.provision_hours + self.school_hours, 2)

    @property
    def is_part_time(self) -> bool:
        """Below the full-time benchmark for the pupil's key stage: a part-time arrangement (statutory-facts)."""
        return self.full_time_hours is not None and self.total_hours < self.full_time_hours

    def row(self, weekday: int) -> list[WeekCell]:
        return self.cells[weekday * 2: weekday * 2 + 2]


def pupil_week(pupil: Pupil) -> PupilWeek:
    """The whole week of a pupil (7.3): every planned and active placement's sessions, Monday to Friday, AM and
    PM, and school for the sessions left. A school session counts as a tenth of the full-time benchmark for the
    pupil's year (there is no part-time timetable record yet: every session not at a provision is at school)."""
    from app.policy.school_age import full_time_hours, key_stage

    placements = [p for p in placements_of_pupil(pupil) if p.status in OPEN_STATUSES]
    cells = [WeekCell(d, s.value, []) for d in range(5) for s in SessionOfDay]
    for placement in placements:
        for ws in placement.weekly_sessions:
            cells[ws.weekday * 2 + (0 if ws.session == SessionOfDay.AM else 1)].at_provision.append((placement, ws))
    full_time = full_time_hours(pupil.year_group)
    per_session = round(full_time / 10, 2) if full_time else 0.0
    provision = round(sum(ws.hours for c in cells for _, ws in c.at_provision), 2)
    return PupilWeek(pupil=pupil, cells=cells, provision_hours=provision, school_session_hours=per_session,
                     school_sessions=sum(1 for c in cells if c.at_school), full_time_hours=full_time,
                     key_stage=key_stage(pupil.year_group))


@dataclass
class CostSummary:
    unit: CostUnit | None
    amount: Decimal | None
    per_week: Decimal | None
    sessions_to_date: int
    days_to_date: int
    to_date: Decimal | None


def placement_cost(placement: Placement, today: dt.date | None = None,
                   calendar: SchoolCalendar | None = None) -> CostSummary:
    """7.11 cost: per session, day or week, and the total to date — sessions held on school days from the start
    to today (or the end), by the school's calendar. Nothing is counted before the placement starts."""
    today = today or clock.today()
    agreement = placement.agreement
    amount = agreement.cost_amount if agreement else None
    unit = CostUnit(agreement.cost_unit) if agreement and agreement.cost_unit else None
    by_day: dict[int, int] = {}
    for ws in placement.weekly_sessions:
        by_day[ws.weekday] = by_day.get(ws.weekday, 0) + 1
    sessions = days = 0
    weeks: set[tuple[int, int]] = set()
    half_terms: set = set()
    if placement.status in (PlacementStatus.ACTIVE, PlacementStatus.ENDED):
        last = min(today, placement.ended_on or today)
        calendar = calendar or _calendar()
        for day in calendar.school_days_between(placement.start_date, last):
            if day.weekday() in by_day:
                sessions += by_day[day.weekday()]
                days += 1
                weeks.add(day.isocalendar()[:2])
                half_terms.add(calendar.half_term_for(day))
    per_week = to_date = None
    if amount is not None and unit is not None:
        per_week = {CostUnit.SESSION: amount * sum(by_day.values()), CostUnit.DAY: amount * len(by_day),
                    CostUnit.WEEK: amount}.get(unit)
        to_date = {CostUnit.SESSION: amount * sessions, CostUnit.DAY: amount * days,
                   CostUnit.WEEK: amount * len(weeks), CostUnit.TERM: amount * len({(h.academic_year, h.term)
                                                                                    for h in half_terms if h}),
                   CostUnit.PLACEMENT: amount if sessions else Decimal("0")}[unit]
    return CostSummary(unit=unit, amount=amount, per_week=per_week, sessions_to_date=sessions, days_to_date=days,
                       to_date=to_date)


# --- off-site direction (section 6) --------------------------------------------------------------------------


@dataclass
class DirectionInput:
    reasons_and_objectives: str | None
    review_on: dt.date | None
    ends_by: dt.date | None
    report_to: str | None


def save_direction(placement: Placement, data: DirectionInput) -> Result:
    """6.1, 6.2: the direction's reasons and objectives, its review and the latest it may run to."""
    errors = _editable(placement)
    if not placement.is_off_site_direction:
        errors["reasons_and_objectives"] = "This placement is not an off-site direction: change the placement first."
    if not (data.reasons_and_objectives or "").strip():
        errors["reasons_and_objectives"] = "Enter the reasons for the direction and its objectives."
    errors.update(direction_rules.time_limit_problems(placement.start_date, data.review_on, data.ends_by))
    if len((data.report_to or "").strip()) > 200:
        errors["report_to"] = "Keep this to 200 characters."
    if errors:
        return _refused(errors)
    direction = placement.off_site_direction
    if direction is None:
        direction = OffSiteDirection(school_id=placement.school_id, placement=placement,
                                     reasons_and_objectives="", review_on=data.review_on, ends_by=data.ends_by)
        db.session.add(direction)
    direction.reasons_and_objectives = data.reasons_and_objectives.strip()
    direction.review_on = data.review_on
    direction.ends_by = data.ends_by
    direction.report_to = (data.report_to or "").strip() or None
    db.session.commit()
    return Result(record=direction)


def record_direction_approval(direction: OffSiteDirection, approved_on: dt.date | None, reference: str | None,
                              by: User) -> Result:
    """6.4: the governing body's approval, recorded by the designated governor (or the headteacher on the
    governing body's behalf). It must come before the direction starts."""
    placement = direction.placement
    errors: dict[str, str] = {}
    if placement.status != PlacementStatus.PLANNED:
        errors["approved_on"] = "Approval is recorded before the direction starts."
    if approved_on is None:
        errors["approved_on"] = "Enter the date the governing body approved the direction."
    elif approved_on > clock.today():
        errors["approved_on"] = "The approval cannot be dated in the future."
    elif approved_on > placement.start_date:
        errors["approved_on"] = "The governing body approves a direction before it starts (6.4)."
    if not (reference or "").strip():
        errors["reference"] = "Enter the meeting or minute that records the approval."
    if errors:
        return _refused(errors)
    direction.governing_body_approved_on = approved_on
    direction.governing_body_approval_reference = reference.strip()[:200]
    direction.approval_recorded_by_id = by.id
    db.session.commit()
    return Result(record=direction)


def letter_due_by(direction: OffSiteDirection) -> dt.date | None:
    return direction_rules.latest_letter_date(direction.placement.start_date, _calendar())


def record_letter_sent(direction: OffSiteDirection, sent_on: dt.date | None, by: User) -> Result:
    """6.5: the letter to parents recorded as sent, on a date at least 2 school days before the start."""
    if sent_on is None:
        return _refused({"sent_on": "Enter the date the letter was sent."})
    errors = _editable(direction.placement)
    problem = direction_rules.letter_date_problem(sent_on, direction.placement.start_date, letter_due_by(direction),
                                                  clock.today())
    if problem:
        errors["sent_on"] = problem
    if errors:
        return _refused(errors)
    direction.parents_letter_sent_on = sent_on
    direction.parents_letter_recorded_by_id = by.id
    db.session.commit()
    return Result(record=direction)


def direction_days(direction: OffSiteDirection) -> int | None:
    """The number of days the letter gives: school days with a session from the start to the latest end."""
    placement = direction.placement
    calendar = _calendar()
    if not (calendar.covers(placement.start_date) and calendar.covers(direction.ends_by)):
        return None
    return direction_rules.number_of_days(placement.start_date, direction.ends_by,
                                          {s.weekday for s in placement.weekly_sessions}, calendar)


# --- the trust's cross-school view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustPlacementLine:
    school: str
    pupil_initials: str
    year_group: int
    provider: str
    start_date: dt.date
    status: str
    is_off_site_direction: bool
    has_ehcp: bool
    is_looked_after: bool


def trust_placements() -> list[TrustPlacementLine]:
    """Every planned and active placement in every school: pupil initials and year only (the trust safeguarding
    lead's view). Call inside a trust scope."""
    rows = db.session.execute(
        select(School.name, Pupil.first_name, Pupil.last_name, Pupil.year_group, Provider.name,
               Placement.start_date, Placement.status, Placement.is_off_site_direction, Pupil.has_ehcp,
               Pupil.is_looked_after)
        .join(Pupil, Pupil.id == Placement.pupil_id).join(Provider, Provider.id == Placement.provider_id)
        .join(School, School.id == Placement.school_id)
        .where(Placement.status.in_(OPEN_STATUSES), Placement.archived_at.is_(None))
        .order_by(School.name, Placement.start_date, Placement.id))
    return [TrustPlacementLine(school=s, pupil_initials=f"{first[:1]}{last[:1]}".upper(), year_group=year,
                               provider=provider, start_date=start, status=PlacementStatus(status).value,
                               is_off_site_direction=directed, has_ehcp=ehcp, is_looked_after=lac)
            for s, first, last, year, provider, start, status, directed, ehcp, lac in rows]
