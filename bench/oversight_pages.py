"""Issue 16's pages on the generated trust: the trust dashboard (/trust/), a term's headteacher's report page and
the trust report PDF: server time (p50/p95) and SQL queries per request, through the real sign-in form.

    python -m bench.oversight_pages DATABASE_URL REDIS_URL LOCAL_ISO_TIME [REQUESTS]

Build the database first with bench/run.py's `build` (e.g. `python -m bench.oversight_pages --build SERVER_URL 1`).
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import datetime


def _timed(client, url: str, n: int, counter) -> dict:
    times, queries = [], set()
    for i in range(n + 1):
        counter["n"] = 0
        t0 = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        if i:  # the first warms the caches
            times.append(elapsed)
            queries.add(counter["n"])
    times.sort()
    return {"url": url, "requests": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 1), "queries": sorted(queries),
            "bytes": len(response.data)}


def _who_and_what(app, instant: datetime) -> dict:
    """Whom to sign in as, and the report to open: the first school's headteacher and its last finished term."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import HeadteacherReport, School, SchoolRole, TrustRole, User
    from app.roles import SchoolRoleName, TrustRoleName
    from app.services.ap_report import terms_of
    from app.services.calendar import calendar_for_school
    from tenants import school_scope, system_scope

    with app.app_context():
        with system_scope("benchmark: who to sign in as"):
            lead = db.session.scalar(select(User.email).join(TrustRole, TrustRole.user_id == User.id)
                                     .where(TrustRole.role == TrustRoleName.TRUST_SAFEGUARDING_LEAD).limit(1))
            school_id, slug, head = db.session.execute(
                select(School.id, School.slug, User.email).join(SchoolRole, SchoolRole.school_id == School.id)
                .join(User, User.id == SchoolRole.user_id).where(SchoolRole.role == SchoolRoleName.HEADTEACHER)
                .order_by(School.id).limit(1)).one()
            schools = db.session.scalar(select(db.func.count(School.id)))
        with school_scope(school_id):
            term = [t for t in terms_of(calendar_for_school(school_id)) if t.last_day < instant.date()][-1]
            report = db.session.scalar(select(HeadteacherReport).where(HeadteacherReport.first_day == term.first_day))
            if report is None:
                report = HeadteacherReport(school_id=school_id, label=term.label, first_day=term.first_day,
                                           last_day=term.last_day, created_by_id=db.session.scalar(
                                               select(User.id).where(User.email == head)))
                db.session.add(report)
                db.session.commit()
            report_id = report.id
        db.session.remove()
        return {"lead": lead, "head": head, "slug": slug, "schools": schools, "term": term, "report_id": report_id,
                "engine": db.engine}


def main(database_url: str, redis_url: str, local_iso: str, requests: str = "20") -> dict:
    from sqlalchemy import event

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from config import DevelopmentConfig

    # Signed in through the form, as bench/pages.py does: no second factor to enter (the trust lead's is mandatory).
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench", WTF_CSRF_ENABLED=False, TWO_FACTOR_MANDATORY=False, LOG_FORMAT=None)
    instant = datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)
    n = int(requests)
    with running_as_if(instant):
        found = _who_and_what(app, instant)
        term = found["term"]
        counter = {"n": 0}

        @event.listens_for(found["engine"], "before_cursor_execute")
        def count(*_args):
            counter["n"] += 1

        # Each request outside any app context pushes its own, so g (the signed-in user) is never shared.
        results = {"schools": found["schools"], "term": term.label}
        for who, email, urls in (
                ("trust lead", found["lead"],
                 ["/trust/", f"/trust/report.pdf?from={term.first_day}&to={term.last_day}"]),
                ("headteacher", found["head"], [f"/{found['slug']}/reports/{found['report_id']}"])):
            client = app.test_client()
            signed = client.post("/sign-in", data={"email": email, "password": "bench-password-1"})
            assert signed.status_code in (302, 303) and "sign-in" not in signed.headers["Location"], (
                who, signed.status_code, signed.headers.get("Location"))
            for url in urls:
                try:
                    results[url.split("?")[0]] = _timed(client, url, n if "pdf" not in url else 3, counter)
                except AssertionError as failed:
                    results[url.split("?")[0]] = {"failed": str(failed)[:200]}
                print(json.dumps(results), file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    if sys.argv[1] == "--build":  # --build SERVER_URL HISTORY: a fresh database, migrated and generated
        from bench.run import bench_instant, build, create_database

        instant = bench_instant()
        url = create_database(sys.argv[2], f"aphub_bench_oversight_{sys.argv[3]}x")
        print(json.dumps({"database": url, "instant": instant,
                          **build(url, "redis://127.0.0.1:6399/0", int(sys.argv[3]), instant)}))
    else:
        print(json.dumps(main(*sys.argv[1:5])))
