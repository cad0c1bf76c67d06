"""State changes that race: two people (or a double click) acting on the same record at once.

Reading the record, checking its state in Python, then changing it lets both through: a concern resolved four
times, four audit rows, three different resolutions emailed. `still(Model, id, condition...)` closes that: one
UPDATE that changes nothing (but `updated_at`) and locks the row when it still matches, evaluated by the database after any
other writer of the row has committed (PostgreSQL waits on the row lock, SQLite on its write lock). The caller
changes the record through the session as before (so the audit trail records it) only when `still` says yes.
"""
from __future__ import annotations

from sqlalchemy import update

from app.extensions import db

LOCK_ONLY = "aphub_lock_only"  # execution option: this bulk UPDATE changes nothing (see app.audit)


def still(model, row_id: int, *conditions) -> bool:
    """Lock the row `row_id` of `model` if it still meets every condition; True if it did. The lock is held
    until the transaction ends: commit (after changing it) or roll back (when False)."""
    pk = model.__mapper__.primary_key[0]
    result = db.session.execute(
        update(model).where(pk == row_id, *conditions).values({pk.key: pk})
        .execution_options(synchronize_session=False, **{LOCK_ONLY: True}))
    return result.rowcount == 1
