"""Recording who opened a pupil's record or a welfare check (issue 19, item 4), showing the DSL who has looked at
a pupil, and flagging unusual reading to the trust safeguarding lead through the outbox.

One insert per read, committed at once: a read that changes nothing is still recorded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import aliased

from app.clock import now
from app.extensions import db
from app.models import Audience, AuditEvent, School, User, WelfareCheck
from app.policy.read_audit import AUDITED_READS, DEFAULT_THRESHOLD, DEFAULT_WINDOW, unusual_reading, window_start
from app.roles import TrustRoleName
from app.services.notifications import queue_for_users
from app.services.tasks import trust_role_holders
from tenants import require_school_id

READ = "read"


def record_read(record_type: str, record_id: int, pupil_id: int, actor_id: int, school_id: int) -> None:
    """One audit row (who, what, when); `detail` carries the pupil's id so the DSL's list and the unusual-reading
    count need no join. Commits."""
    if record_type not in AUDITED_READS:
        raise ValueError(f"{record_type} reads are not audited")
    at = now()
    start = window_start(at, current_app.config.get("READ_ALERT_WINDOW", DEFAULT_WINDOW))
    detail = f"pupil:{pupil_id}"
    # The insert returns how many other pupils this person read in the window, so the count costs no statement of
    # its own (issue 18). This read adds one pupil; counting only the others gives the same figure whether or not
    # the database lets the statement see the row it inserts.
    earlier = aliased(AuditEvent)
    others = select(func.count(func.distinct(earlier.detail))).where(
        earlier.actor_id == actor_id, earlier.action == READ, earlier.at >= start, earlier.school_id == school_id,
        earlier.detail != detail).scalar_subquery()
    read_before = db.session.execute(insert(AuditEvent).values(
        at=at, actor_id=actor_id, school_id=school_id, action=READ, record_type=record_type,
        record_id=str(record_id), detail=detail).returning(others)).scalar_one()
    _flag_if_unusual(actor_id, school_id, start, read_before + 1)
    # The insert changes no record the request has loaded: commit without expiring them, or the page about to
    # be shown would read the pupil and the signed-in user again (issue 18).
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def _flag_if_unusual(actor_id: int, school_id: int, start: datetime, pupils: int) -> None:
    threshold = current_app.config.get("READ_ALERT_THRESHOLD", DEFAULT_THRESHOLD)
    if not unusual_reading(pupils, threshold):
        return
    reader = db.session.get(User, actor_id)
    school = db.session.get(School, school_id)
    # Once per person per window: the dedupe key makes every later read in the window add nothing.
    queue_for_users(
        trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD),
        dedupe_key=f"unusual-reads:{actor_id}:{school_id}:{start:%Y%m%dT%H%M}", template="notice",
        audience=Audience.TRUST, urgent=True, about_type="User", about_id=actor_id,
        about_label=f"Unusual reading: {reader.full_name}"[:200], school_id=school_id,
        context={"subject": f"Unusual reading of safeguarding records at {school.name}",
                 "school_name": school.name,
                 "paragraphs": [f"{reader.full_name} has opened the records of {pupils} different pupils at "
                                f"{school.name} since {start:%H:%M} UTC today.",
                                "This may be legitimate casework. Please check with the school's designated "
                                "safeguarding lead that it was needed."]})


@dataclass(frozen=True)
class ReadLine:
    at: datetime
    reader: str
    what: str


def reads_of_pupil(pupil_id: int, limit: int = 200) -> list[ReadLine]:
    """Who has opened this pupil's record or one of their welfare checks, newest first (in the current school's
    scope: the welfare check ids are this school's)."""
    checks = [str(i) for i in db.session.scalars(select(WelfareCheck.id).where(WelfareCheck.pupil_id == pupil_id))]
    rows = db.session.execute(
        select(AuditEvent.at, User.full_name, AuditEvent.record_type)
        .join(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.action == READ, AuditEvent.school_id == require_school_id(),
               or_(AuditEvent.detail == f"pupil:{pupil_id}",
                   (AuditEvent.record_type == "WelfareCheck") & AuditEvent.record_id.in_(checks)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    labels = {"Pupil": "Pupil record", "WelfareCheck": "Welfare check"}
    return [ReadLine(at, name, labels[kind]) for at, name, kind in rows]
