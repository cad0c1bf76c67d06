"""Legal holds (issue 19, item 2): while a pupil's or a provider's records are held (litigation, an inquiry, a
police request), the retention review proposes nothing of theirs and carries out nothing already approved.
The designated trustee, standing in as the trust's data protection officer, places and lifts holds for any school,
so every function here runs in a trust or system scope. Placing and lifting are audited (the rows are audited
records; a lift's reason goes into the trail as an event of its own)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import LegalHold, Provider, Pupil, School, User
from app.services.results import Result, refused

REASON_MAX = 500


def _reason_error(reason: str | None) -> str | None:
    if not (reason or "").strip():
        return "Say why the records must be kept, e.g. the inquiry or claim that needs them"
    if len(reason.strip()) > REASON_MAX:
        return f"The reason must be {REASON_MAX} characters or fewer"
    return None


def place_legal_hold(*, reason: str, placed_by_id: int, pupil: Pupil | None = None,
                     provider_id: int | None = None) -> LegalHold:
    """The one way a hold is made (the page, the CLI and the tests). Commits."""
    if _reason_error(reason):
        raise ValueError("reason: say why the records must be kept")
    if (pupil is None) == (provider_id is None):
        raise ValueError("a legal hold covers one pupil or one provider")
    hold = LegalHold(pupil_id=pupil.id if pupil else None, school_id=pupil.school_id if pupil else None,
                     provider_id=provider_id, reason=reason.strip(), placed_by_id=placed_by_id, placed_at=now())
    db.session.add(hold)
    db.session.commit()
    return hold


def hold_pupil(school_id: int | None, upn: str | None, reason: str | None, by: User) -> Result:
    """A hold on the pupil with this UPN at this school (archived pupils too: a leaver's file is what retention
    reaches). Refused naming the field; nothing saved on refusal."""
    errors = {}
    school = db.session.get(School, school_id) if school_id else None
    if school is None:
        errors["school_id"] = "Choose the pupil's school"
    upn = (upn or "").strip().upper()
    pupil = None
    if not upn:
        errors["upn"] = "Enter the pupil's UPN"
    elif school is not None:
        pupil = db.session.scalar(select(Pupil).where(Pupil.school_id == school.id, func.upper(Pupil.upn) == upn))
        if pupil is None:
            errors["upn"] = f"No pupil with UPN {upn} at {school.name}"
    if (message := _reason_error(reason)):
        errors["reason"] = message
    if pupil is not None and _active_for(pupil_id=pupil.id):
        errors["upn"] = "This pupil's records are already on legal hold"
    if errors:
        return refused(errors)
    return Result(record=place_legal_hold(reason=reason, placed_by_id=by.id, pupil=pupil))


def hold_provider(provider_id: int | None, reason: str | None, by: User) -> Result:
    errors = {}
    provider = db.session.get(Provider, provider_id) if provider_id else None
    if provider is None:
        errors["provider_id"] = "Choose the provider from the register"
    elif _active_for(provider_id=provider.id):
        errors["provider_id"] = "This provider's records are already on legal hold"
    if (message := _reason_error(reason)):
        errors["reason"] = message
    if errors:
        return refused(errors)
    return Result(record=place_legal_hold(reason=reason, placed_by_id=by.id, provider_id=provider.id))


def _active_for(*, pupil_id: int | None = None, provider_id: int | None = None) -> bool:
    column, value = (LegalHold.pupil_id, pupil_id) if pupil_id else (LegalHold.provider_id, provider_id)
    return db.session.scalar(select(func.count()).select_from(LegalHold)
                             .where(column == value, LegalHold.lifted_at.is_(None))) > 0


def lift_legal_hold(hold_id: int, lifted_by_id: int, reason: str | None = None) -> Result:
    """Lift a hold (once). The retention review then proposes the records again if they are still due. Commits."""
    hold = db.session.get(LegalHold, hold_id)
    if hold is None or hold.lifted_at is not None:
        return refused({"hold": "This legal hold has been lifted already"})
    if (message := _reason_error(reason)):
        return refused({"lift_reason": message.replace("kept", "released")
                        .replace("the inquiry or claim that needs them", "the claim was settled")})
    hold.lifted_at, hold.lifted_by_id = now(), lifted_by_id
    record_event(db.session, "legal_hold_lift", "LegalHold", hold.id, school_id=hold.school_id,
                 actor_id=lifted_by_id, detail=reason.strip()[:REASON_MAX])
    db.session.commit()
    return Result(record=hold)


@dataclass(frozen=True)
class HoldLine:
    id: int
    school: str | None
    subject: str  # "Pupil UPN A123…" or the provider's name: enough to find it, no more
    reason: str
    placed_by: str
    placed_at: dt.datetime
    lifted_at: dt.datetime | None


def hold_lines() -> list[HoldLine]:
    """Every hold, current first. A pupil is named by UPN and initials only (the trustee needs to find the file,
    not to read it)."""
    names = dict(db.session.execute(select(School.id, School.name)).all())
    people = dict(db.session.execute(select(User.id, User.full_name)).all())
    holds = db.session.scalars(select(LegalHold).order_by(LegalHold.lifted_at.is_not(None),
                                                          LegalHold.placed_at.desc(), LegalHold.id.desc())).all()
    pupils = {p.id: p for p in db.session.scalars(select(Pupil).where(
        Pupil.id.in_([h.pupil_id for h in holds if h.pupil_id])))}
    providers = dict(db.session.execute(select(Provider.id, Provider.name).where(
        Provider.id.in_([h.provider_id for h in holds if h.provider_id]))).all())
    lines = []
    for h in holds:
        if h.pupil_id:
            p = pupils.get(h.pupil_id)
            subject = f"Pupil {p.upn} ({p.first_name[:1]}. {p.last_name[:1]}.)" if p else f"Pupil {h.pupil_id}"
        else:
            subject = f"Provider: {providers.get(h.provider_id, h.provider_id)}"
        lines.append(HoldLine(h.id, names.get(h.school_id), subject, h.reason, people.get(h.placed_by_id, "?"),
                              h.placed_at, h.lifted_at))
    return lines


def provider_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(Provider.id, Provider.name).order_by(Provider.name)).all())


def school_choices() -> list[tuple[int, str]]:
    return list(db.session.execute(select(School.id, School.name).order_by(School.name)).all())
