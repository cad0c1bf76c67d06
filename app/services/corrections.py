"""Putting mistakes right (issue 14 item 8): archiving a record a person added, with a reason, and reading the
record's history from the audit trail.

Correcting a record goes through its own service (`correct_*` beside `record_*`, sharing its checks), so a
corrected record obeys the same rules as a new one. Archiving is the same for every kind: the record leaves its
lists, stays in the database with who archived it, when and why, and the audit trail's archive event keeps
every value it had (app.audit). Nothing here deletes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, User
from app.services.results import Result, refused

ARCHIVE_REASON_MAX = 500
# Bookkeeping columns a person never typed: left out of the history's list of changes.
NOT_SHOWN = frozenset({"id", "school_id", "created_at", "updated_at", "archived_by_id", "recorded_by_id",
                       "assessed_by_id", "proposed_by_id", "dedupe_key", "information_shared_at"})


def archive_with_reason(record, reason: str | None, by: User) -> Result:
    """Archive a record a person added, saying why (issue 14 item 8; design invariant 7): hidden from its
    lists, kept with its history. Refused, with nothing written, without a reason or when already archived."""
    reason = (reason or "").strip()
    if record.is_archived:
        return refused({"reason": "This record is already archived."})
    if not reason:
        return refused({"reason": "Say why the record is archived, for example 'entered for the wrong pupil'."})
    if len(reason) > ARCHIVE_REASON_MAX:
        return refused({"reason": f"Keep the reason to {ARCHIVE_REASON_MAX} characters or fewer."})
    record.archived_at = clock.now()
    record.archived_by_id = by.id
    record.archive_reason = reason
    db.session.commit()
    return Result(record=record)


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    action: str  # create | update | archive | restore
    by: str
    changes: list[Change]


def _label(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ").capitalize()


def history_of(record) -> list[HistoryLine]:
    """Every change to the record from the audit trail, oldest first: who, when, and each field's old and new
    value (the values it was created with for the first line)."""
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == type(record).__name__, AuditEvent.record_id == str(record.id),
        AuditEvent.school_id == record.school_id, AuditEvent.action.in_(["create", "update", "archive", "restore"]))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    names = dict(db.session.execute(select(User.id, User.full_name).where(
        User.id.in_({e.actor_id for e in events if e.actor_id is not None}))).all())
    lines = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = [Change(_label(name), before.get(name), value) for name, value in after.items()
                   if name not in NOT_SHOWN and value != before.get(name) and not (event.action == "create"
                                                                                   and value in (None, "", []))]
        lines.append(HistoryLine(clock.to_local(event.at), event.action,
                                 names.get(event.actor_id, "the system"), changes))
    return lines
