"""Demo welfare check (issue 6 item 6): one open check for the pupil on the demo's active placement, raised by the
DSL after a worried call, with the DSL's urgent task, so the welfare check pages and the inbox show one. Fictional."""
from __future__ import annotations

import logging

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, School
from app.models.attendance import WelfareCheck
from app.services.tasks import TaskKind, ensure_task
from app.services.welfare_checks import SUBJECT
from tenants import school_scope

log = logging.getLogger(__name__)


def seed_welfare_check(trust) -> None:
    """Called after the demo placements, inside the demo seed's system scope (the seed commits)."""
    placement = db.session.scalar(
        select(Placement).join(School, School.id == Placement.school_id)
        .where(School.trust_id == trust.id, Placement.status == PlacementStatus.ACTIVE).order_by(Placement.id))
    if placement is None:
        log.warning("demo welfare check skipped: no active demo placement")
        return
    with school_scope(placement.school_id):
        now = clock.now()
        check = WelfareCheck(school_id=placement.school_id, pupil_id=placement.pupil_id, raised_at=now,
                             notes="The provider rang: the pupil left at lunchtime without saying where to.")
        db.session.add(check)
        db.session.flush()
        ensure_task(TaskKind.WELFARE_CHECK, f"welfare-by-hand:{check.id}",
                    f"Welfare check: {placement.pupil.display_name}", due_at=now, subject=(SUBJECT, check.id),
                    link=("welfare_checks.show", {"welfare_check_id": check.id}), urgent=True,
                    detail=check.notes)
