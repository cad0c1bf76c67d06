"""What a service's change returns to the page or API that asked for it: the saved record, or the problems by
field (and then nothing was written). One shape for every service, so views handle them alike."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.extensions import db


@dataclass
class Result:
    """The saved record, or the problems by field name (and then nothing was written)."""

    record: object | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def refused(errors: dict[str, str]) -> Result:
    """Nothing half-saved: undo whatever the change had done in the session, and say why, by field."""
    db.session.rollback()
    return Result(errors=errors)
