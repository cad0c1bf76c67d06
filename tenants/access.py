"""Fetch and check together: a record of the current school by id, or a 404 (Zulip's `access_*` idea).

Another school's id is "not found", never "forbidden": the scoping listener already hides it, and this says so
in one place. The named `access_placement`, `access_pupil`, ... in the services call it.
"""
from __future__ import annotations

from flask import abort

from tenants.context import require_school_id


def school_record_or_404(model, record_id: int, *, include_archived: bool = False):
    from app.extensions import db

    require_school_id()
    record = db.session.get(model, record_id)
    if record is None or (not include_archived and getattr(record, "archived_at", None) is not None):
        abort(404)
    return record
