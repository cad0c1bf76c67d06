"""What every part of commissioning shares: open statuses, weekdays, the Result."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.extensions import db
from app.models import PlacementStatus
from app.policy.placement_readiness import Missing
from app.services import results

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
