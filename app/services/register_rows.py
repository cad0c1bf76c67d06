"""Making a day's attendance sessions once each, however many makers run at once.

The 07:30 sweep, the cut-off sweep and the start of a placement may make the same day's sessions together
(provision sessions, part-time timetables' C2 sessions, flexi-schooling's home sessions). Each kind has a unique
key on its slot; a maker adds its rows in one SAVEPOINT and, should another have made some meanwhile, one each,
skipping the ones the other made."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.attendance import AttendanceSession


def add_sessions_once(rows: list[dict]) -> int:
    """Add a session for each row that no other maker added first; returns how many this call added (flushed)."""
    if not rows:
        return 0
    try:
        with db.session.begin_nested():
            db.session.add_all(AttendanceSession(**row) for row in rows)
        return len(rows)
    except IntegrityError:
        made = 0
        for row in rows:
            try:
                with db.session.begin_nested():
                    db.session.add(AttendanceSession(**row))
                made += 1
            except IntegrityError:
                pass
        return made
