"""Reading long lists a page at a time by id (the API's `keyset_page` in app/api/paging.py asks for them), and one
record by id, for the trust-wide lists read in a trust scope (the outbox, webhook deliveries): the scoping still
hides what the scope does not reach, so a missing or hidden record is "not found" alike."""
from __future__ import annotations

from sqlalchemy import Select, select

from app.extensions import db
from tenants.access import RecordNotFound, record_label


def rows_after(model, after_id: int, limit: int, query: Select | None = None, **equal) -> list:
    """At most `limit` rows of `model` (from `query`, a select of it, when given) by id above `after_id`, in id
    order, where each named column equals its value; a value of None does not filter."""
    query = (select(model) if query is None else query).where(model.id > after_id).order_by(model.id).limit(limit)
    for column, value in equal.items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    return list(db.session.scalars(query))


def record_or_not_found(model, record_id: int):
    """The record with this id that the scope reaches, or `RecordNotFound` (the API's JSON 404)."""
    record = db.session.get(model, record_id)
    if record is None:
        raise RecordNotFound(record_label(model))
    return record
