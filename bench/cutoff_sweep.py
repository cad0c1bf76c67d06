"""The attendance cut-off sweep over the whole generated trust, in this process, as JSON.

Run by bench/run.py in a fresh interpreter:
    python -m bench.cutoff_sweep DATABASE_URL REDIS_URL LOCAL_ISO_TIME [SWEEP]

SWEEP is `attendance_cutoffs` (the default) or `expected_sessions` (the 07:30 sweep making the day's sessions,
run first as in production). At the given school-local time (after the morning's cut-offs) the cut-off sweep
prompts the attendance officer for every unconfirmed session past its cut-off and raises the welfare checks that
are due. Reported: its time, peak memory and what it made.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime


def main(database_url: str, redis_url: str, local_iso: str, sweep: str = "attendance_cutoffs") -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from app.extensions import db
    from app.models import AttendanceSession, Notification, Task
    from config import DevelopmentConfig
    from jobs import attendance_sweeps
    from tenants import system_scope

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench")
    instant = datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)

    def counts():
        with system_scope("benchmark: counting"):
            tasks = dict(db.session.execute(select(Task.kind, func.count()).where(Task.status == "open")
                                            .group_by(Task.kind)).all())
            emails = db.session.scalar(select(func.count(Notification.id)))
            sessions = db.session.scalar(select(func.count(AttendanceSession.id)))
        db.session.remove()
        return tasks, emails, sessions

    with app.app_context(), running_as_if(instant):
        tasks_before, emails_before, sessions_before = counts()
        t0 = time.perf_counter()
        getattr(attendance_sweeps, sweep)()
        seconds = time.perf_counter() - t0
        tasks_after, emails_after, sessions_after = counts()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    made = {kind: n - tasks_before.get(kind, 0) for kind, n in tasks_after.items()
            if n != tasks_before.get(kind, 0)}
    return {"sweep": sweep, "at_local": local_iso, "seconds": round(seconds, 3),
            "peak_rss_mb": round(peak_kb / 1024, 1), "sessions_made": sessions_after - sessions_before,
            "tasks_made": made, "emails_queued": emails_after - emails_before}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
