"""Finding a school's placements, pupils and providers (another school's id is a 404, never a 403)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app import clock
from app.extensions import db
from app.models import OffSiteDirection, Placement, PlacementStatus, Provider, ProviderKind, Pupil
from app.services.providers import statuses_for
from app.services.pupils import school_pupils  # noqa: F401  (re-exported: placements.school_pupils)
from tenants import require_school_id
from tenants.access import school_record_or_404

# --- finding records (another school's id is a 404, never a 403) ----------------------------------------------


def access_placement(placement_id: int, with_details: bool = False) -> Placement:
    """The school's placement, or a 404. `with_details`: its pupil, provider, agreement and weekly pattern read
    with it (the placement page shows them all: four lazy loads otherwise, issue 18)."""
    options = (joinedload(Placement.pupil), joinedload(Placement.provider), joinedload(Placement.agreement),
               selectinload(Placement.weekly_sessions)) if with_details else ()
    return school_record_or_404(Placement, placement_id, options=options)


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


def placements_of_school() -> list[Placement]:
    """The current school's placements, not archived (any status), with their providers (the forms name both in
    one query): the choices of a placement on the forms."""
    return list(db.session.scalars(select(Placement).where(Placement.archived_at.is_(None))
                                   .options(selectinload(Placement.provider))))


def providers_offered(current: Provider | None = None) -> list[Provider]:
    """Providers a new placement may be commissioned with: those whose status allows new placements (vetted,
    not suspended, not to be reported under 7.2: 7.8, 7.9), and the school's own on-site provision; another
    school's on-site provision never. The provider already chosen stays on the list."""
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
