"""Run one full sweep of the whole trust in this process and print what it cost, as JSON.

Run by bench/run.py in a fresh interpreter, so the peak memory is the sweep's own process.
    python -m bench.sweep_once DATABASE_URL REDIS_URL LOCAL_ISO_TIME
"""
from __future__ import annotations

import json
import resource
import sys
import time
from datetime import datetime


def main(database_url: str, redis_url: str, local_iso: str) -> dict:

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from config import DevelopmentConfig
    from jobs import outbox, sweeps

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench")
    instant = datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)
    timings = {}
    with app.app_context(), running_as_if(instant):
        started = time.perf_counter()
        t0 = time.perf_counter()
        calendar = sweeps.calendar_readiness()
        timings["calendar_readiness"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        reminders = sweeps.task_reminders()
        timings["task_reminders"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        dispatch = outbox.dispatch_outbox()
        timings["outbox_dispatch"] = round(time.perf_counter() - t0, 3)
        total = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reminded = sum(r[0] for r in reminders.results.values())
    escalated = sum(r[1] for r in reminders.results.values())
    calendar_tasks = sum(1 for r in calendar.results.values() if r)
    work = {"reminder_emails": reminded, "escalations": escalated, "calendar_tasks": calendar_tasks,
            "deliveries_enqueued": dispatch.enqueued}
    return {"seconds": round(total, 3), "by_sweep": timings, "peak_rss_mb": round(peak_kb / 1024, 1),
            "work": {k: v for k, v in work.items() if v}}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
