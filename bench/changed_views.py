"""The trust pages' worst case under the figure cache (issue 18): every school has changed a record since the
last view (a busy morning: each school marked a register), so each school's running period is counted again.

    .venv/bin/python -m bench.changed_views DATABASE_URL [URL ...]

On a database generated before (bench.oversight_pages --build, or bench.pages): as the designated trustee, at the
benchmark's morning, each URL 20 times with nothing changed, then 20 times with every school's live version put up
before each request (app.services.figure_cache.records_changed(today_only=True)). Server time p50 / p95.
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime

URLS = ("/trust/", "/trust/report", "/api/v1/trust/report-figures", "/trust/report.pdf")


def main(database_url: str, urls: list[str]) -> None:
    from app.clock import SCHOOL_TZ, running_as_if
    from app.services.figure_cache import records_changed
    from app.services.schools import all_schools
    from bench.page_walk import _Visitor, sign_ins, world_ids
    from bench.pages import _app
    from bench.run import bench_instant
    from tenants import system_scope
    from tests.servers import RedisServer

    redis = RedisServer()
    redis.start()
    try:
        app = _app(database_url, redis.url)
        with running_as_if(datetime.fromisoformat(bench_instant()).replace(tzinfo=SCHOOL_TZ)):
            with app.app_context(), system_scope("benchmark: every school"):
                people = dict(sign_ins(world_ids()["school_id"]))
                school_ids = [s.id for s in all_schools()]
            visitor = _Visitor(app, people["trust:designated_trustee"])
            for url in urls:
                for changed in (False, True):
                    print(f"{url:32} {'every school changed' if changed else 'nothing changed':22} "
                          f"{_timed(app, visitor, url, school_ids if changed else None, records_changed)}")
    finally:
        redis.stop()


def _timed(app, visitor, url: str, school_ids, records_changed, requests: int = 20) -> str:
    times = []
    for i in range(requests + 3):  # the first three warm up
        if school_ids:
            with app.app_context():
                records_changed(school_ids, today_only=True)
        started = time.perf_counter()
        with app.app_context():
            response = visitor.client.get(url, headers=visitor.headers(url))
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
        if response.status_code != 200:
            return f"{response.status_code}"
        if i >= 3:
            times.append(elapsed)
    times.sort()
    return f"p50 {statistics.median(times):6.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:] or list(URLS))
