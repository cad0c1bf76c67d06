"""A placement's life: starting it and telling the LA (7.12), and ending it (8.7)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    LAContactKind,
    Notification,
    Placement,
    PlacementStatus,
    ProviderKind,
    ProviderSite,
    Pupil,
    School,
    User,
)
from app.policy.la_notices import commissioning_recipients
from app.services import webhooks
from app.services.attendance_today import make_day
from app.services.calendar import calendar_for_school
from app.services.notifications import MissingLAContact, notify_local_authority
from app.state_changes import still

from .base import WEEKDAYS, Result, _refused
from .commissioning import weekly_hours
from .readiness import placement_readiness

# --- starting, and telling the LA (7.12) ---------------------------------------------------------------------


def la_recipients(pupil: Pupil) -> list[tuple[str, LAContactKind]]:
    """Who hears of the placement (7.5, 7.6, 7.12: `app.policy.la_notices`), as (dedupe suffix, contact kind)."""
    return [(suffix, LAContactKind(kind)) for suffix, kind in commissioning_recipients(pupil)]


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
    school = db.session.get(School, placement.school_id)
    context = _notice_context(placement, school)
    label = f"Placement of {placement.pupil.initials} at {placement.provider.name}"
    return [notify_local_authority(school, kind, template="placement_commissioned", context=context,
                                   dedupe_key=commissioned_dedupe_key(placement, suffix), about_type="pupil",
                                   about_id=placement.pupil_id, about_label=label[:200], pupil=placement.pupil)
            for suffix, kind in la_recipients(placement.pupil)]


def notices_for(placement: Placement) -> list[Notification]:
    """The 7.12 notices this placement sent. Found by what they are about (the pupil, through the
    ix_notifications_about index), then by key among those few: a LIKE on the key alone cannot use its btree
    under a non-C collation and read every notification of the school (issue 18: 48,069 rows at 10x history)."""
    prefix = commissioned_dedupe_key(placement, "")
    return list(db.session.scalars(select(Notification).where(
        Notification.about_type == "pupil", Notification.about_id == placement.pupil_id,
        Notification.dedupe_key.startswith(prefix)).order_by(Notification.id)))


def needs_la_notice(placement: Placement) -> bool:
    """7.12 speaks of off-site placements: anything not on the school's own site (online-only included)."""
    return placement.provider.kind != ProviderKind.ON_SITE


def start_placement(placement: Placement, user: User) -> Result:
    """Start a planned placement once nothing is missing; an off-site one tells the LA (7.12) in the same
    transaction. Refused, with the missing list, when it is not ready."""
    if placement.status == PlacementStatus.ACTIVE:
        return _refused({"status": "This placement has already started."})
    if placement.status != PlacementStatus.PLANNED:
        return _refused({"status": f"This placement is {placement.status.value}: it cannot start."})
    missing = placement_readiness(placement)
    if missing:
        db.session.rollback()
        return Result(missing=missing)
    if not still(Placement, placement.id, Placement.status == PlacementStatus.PLANNED):
        return _refused({"status": "This placement has just been started or changed by someone else."})
    placement.status = PlacementStatus.ACTIVE
    placement.started_at = clock.now()
    placement.started_by_id = user.id
    webhooks.placement_started(placement)
    if needs_la_notice(placement):
        try:
            notify_la_of_placement(placement)
        except MissingLAContact as exc:
            return _refused({"status": str(exc)})
    db.session.commit()
    if placement.start_date <= clock.today():
        # Started after the 07:30 sweep made today's sessions: today's are made now (the today page only reads).
        make_day(calendar_for_school(placement.school_id), clock.today(), db.session.get(School, placement.school_id))
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
    if not still(Placement, placement.id, Placement.status == PlacementStatus.ACTIVE):
        return _refused({"status": "This placement has just been ended by someone else."})
    placement.status = PlacementStatus.ENDED
    placement.ended_on = data.ended_on
    placement.end_progress = (data.progress or "").strip() or None
    placement.end_achievements = (data.achievements or "").strip() or None
    placement.end_destination = destination
    placement.end_pupil_assessment = (data.pupil_assessment or "").strip() or None
    placement.ended_by_id = user.id
    webhooks.placement_ended(placement)
    db.session.commit()
    return Result(record=placement)
