"""The pupil's responsible local authority (issue 15, "Also"): a looked-after or EHCP pupil placed in the county
by another authority has that authority as their responsible LA. Every LA, Virtual School and SEND notice about the
pupil goes there (app.services.notifications.responsible_local_authority), falling back to the school's LA.
Runs in a school's tenant scope; commits."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import LocalAuthority, Pupil
from app.services.results import Result, refused


def local_authorities() -> list[LocalAuthority]:
    return list(db.session.scalars(select(LocalAuthority).order_by(LocalAuthority.name)))


def set_responsible_local_authority(pupil: Pupil, local_authority_id: int | None) -> Result:
    """Record the pupil's responsible LA; None: the school's own LA."""
    if local_authority_id is not None and db.session.get(LocalAuthority, local_authority_id) is None:
        return refused({"responsible_local_authority_id": "Choose a local authority from the list."})
    pupil.responsible_local_authority_id = local_authority_id
    db.session.commit()
    return Result(pupil)
