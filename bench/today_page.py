"""The attendance officer's today page on the generated trust: server time (p50/p95) and SQL queries per request.

Run by bench/run.py in a fresh interpreter:
    python -m bench.today_page DATABASE_URL REDIS_URL LOCAL_ISO_TIME [REQUESTS]

Signs in through the real form as one school's attendance officer and GETs the page REQUESTS times in-process
(the WSGI app, no network: the server's own time). The first request makes the day's expected sessions and is
reported apart; the rest are the steady state an officer sees all morning.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import datetime


def main(database_url: str, redis_url: str, local_iso: str, requests: str = "200") -> dict:
    from sqlalchemy import event, select

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from app.extensions import db
    from app.models import Placement, School
    from config import DevelopmentConfig
    from tenants import system_scope

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench", WTF_CSRF_ENABLED=False)
    instant = datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)
    with app.app_context(), running_as_if(instant):
        with system_scope("benchmark: the busiest school"):
            school_id, slug = db.session.execute(
                select(School.id, School.slug).join(Placement, Placement.school_id == School.id)
                .group_by(School.id, School.slug).order_by(db.func.count(Placement.id).desc()).limit(1)).one()
            placements = db.session.scalar(select(db.func.count(Placement.id)).where(Placement.school_id == school_id))
        db.session.remove()
        queries: list[int] = []
        counter = {"n": 0}

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(*_args):
            counter["n"] += 1

        client = app.test_client()
        signed = client.post("/sign-in", data={"email": f"attendance_officer.{school_id}@bench.example.org",
                                               "password": "bench-password-1"})
        assert signed.status_code in (302, 303), signed.status_code
        url = f"/{slug}/attendance/"
        times = []
        first = None
        for i in range(int(requests) + 1):
            counter["n"] = 0
            t0 = time.perf_counter()
            with app.app_context():
                response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
            if i == 0:
                first = {"ms": round(elapsed, 1), "queries": counter["n"]}
                continue
            times.append(elapsed)
            queries.append(counter["n"])
        body = response.get_data(as_text=True)
    times.sort()
    return {"school_placements": placements, "requests": len(times), "first_request": first,
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1), "queries": sorted(set(queries)), "page_bytes": len(body)}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:5])))
