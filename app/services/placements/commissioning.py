"""Commissioning a placement: create and edit, the agreement (7.11), the weekly pattern, key information (7.10)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app import clock
from app.extensions import db
from app.models import (
    ArrangedBy,
    CostUnit,
    Placement,
    PlacementAgreement,
    PlacementStatus,
    Provider,
    ProviderKind,
    ProviderSite,
    Pupil,
    SessionOfDay,
    User,
    WeeklySession,
)
from app.policy.placement_readiness import AGREEMENT_FIELDS, review_interval_problem
from app.state_changes import still
from tenants import require_school_id

from .base import NOON, OPEN_STATUSES, WEEKDAYS, Result, _refused

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
    if not still(Placement, placement.id, Placement.status == PlacementStatus.PLANNED):
        return _refused({"status": "This placement has just been changed by someone else: check it again."})
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
    elif problem := review_interval_problem(weeks or None, placement.provider.kind):
        errors["review_every_weeks"] = problem  # refused on the field, not found later by the readiness gate
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
