"""The AP Hub benchmark: a generated large trust on PostgreSQL, the sweeps timed and measured.

    .venv/bin/python -m bench.run --postgres postgresql+psycopg://USER:PASS@127.0.0.1:5432/postgres

For each history size (1x = two years, 10x) it creates a fresh database, migrates it, generates the trust
(bench/large_trust.py), then runs one full sweep of the whole trust twice in a fresh process each
(bench/sweep_once.py): the first finds the due work, the second finds nothing new. Then the attendance officer's
today page is requested 200 times (bench/today_page.py: server time and SQL queries per request), and the
attendance cut-off sweep runs after the morning's cut-offs, after the welfare-check hour, and once more with
nothing new (bench/cutoff_sweep.py). It prints the figures against the targets of the jobs and attendance
issues, and writes bench/results/latest.json. Figures are wall-clock on this machine.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_instant() -> str:
    """A school-day morning to run at: the next Monday-to-Wednesday 09:10 that is inside term in the generated
    calendars (the sweeps only work on school days, and the benchmark must not depend on the day it is run)."""
    from app.school_calendar import SchoolCalendar, academic_year_of, generate_school_year

    day = date.today()
    year = academic_year_of(day)
    calendar = SchoolCalendar(generate_school_year(year - 1) + generate_school_year(year) + generate_school_year(year + 1))
    while not calendar.is_school_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time()).replace(hour=9, minute=10).isoformat()


def create_database(server_url: str, name: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def build(database_url: str, redis_url: str, history: int, instant: str, scale: float = 1.0) -> dict:
    import flask_migrate

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from bench.large_trust import Sizes, generate
    from config import DevelopmentConfig

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="bench")
    with app.app_context():
        flask_migrate.upgrade()
        t0 = time.perf_counter()
        with running_as_if(datetime.fromisoformat(instant).replace(tzinfo=SCHOOL_TZ)):
            sizes = Sizes(history=history) if scale == 1.0 else Sizes.scaled(scale, history)
            counts = generate(sizes, log=lambda m: print(m, flush=True))
        counts["generate_seconds"] = round(time.perf_counter() - t0, 1)
        from app.extensions import db

        db.engine.dispose()
    return counts


def sweep(database_url: str, redis_url: str, instant: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.sweep_once", database_url, redis_url, instant],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_process(module: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{module} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def at_time(instant: str, hhmm: str) -> str:
    return instant[:11] + hhmm + ":00"


def redis_flush(url: str) -> None:
    import redis as redis_lib

    redis_lib.Redis.from_url(url).flushall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="server URL; databases aphub_bench_* are (re)created on it")
    parser.add_argument("--history", type=int, nargs="*", default=[1, 10],
                        help="history sizes to measure (none: only the latency measurements)")
    parser.add_argument("--only-cutoff-latency", action="store_true",
                        help="of the latency measurements, only attendance cut-off -> email (both workers)")
    parser.add_argument("--no-latency", action="store_true", help="skip the slot-to-SMTP latency measurement")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.servers import RedisServer

    redis = RedisServer()
    redis.start()
    instant = bench_instant()
    results = {"at_local": instant, "runs": {}}
    try:
        for history in args.history:
            print(f"== history {history}x: generating", flush=True)
            url = create_database(args.postgres, f"aphub_bench_h{history}")
            counts = build(url, redis.url, history, instant)
            sweeps = [sweep(url, redis.url, instant)]
            while sweeps[-1]["work"] and len(sweeps) < 6:  # until a sweep finds nothing new due
                sweeps.append(sweep(url, redis.url, instant))
            results["runs"][history] = {"rows": counts, "first_sweep": sweeps[0], "later_sweeps": sweeps[1:-1],
                                        "idle_sweep": sweeps[-1]}
            print(f"== history {history}x: the today page, the attendance cut-off sweep", flush=True)
            # As in production: the 07:30 sweep makes the day's sessions, the officer opens the page, the
            # cut-off sweep prompts at 09:35 (nobody has confirmed anything: the worst case), raises every
            # welfare check at 10:35, and finds nothing new at 10:40.
            results["runs"][history]["sessions_sweep"] = in_process(
                "bench.cutoff_sweep", url, redis.url, at_time(instant, "07:30"), "expected_sessions")
            results["runs"][history]["today_page"] = in_process("bench.today_page", url, redis.url, instant)
            results["runs"][history]["cutoff_sweeps"] = [
                in_process("bench.cutoff_sweep", url, redis.url, at_time(instant, t))
                for t in ("09:35", "10:35", "10:40")]
            print(json.dumps(results["runs"][history], indent=2), flush=True)
        if not args.no_latency:
            from bench.latency import measure
        if not args.no_latency and not args.only_cutoff_latency:
            print("== latency: generating a fresh 1x trust", flush=True)
            url = create_database(args.postgres, "aphub_bench_latency")
            build(url, redis.url, 1, instant)
            redis_flush(redis.url)
            results["latency"] = measure(url, redis.url, instant)
            print(json.dumps(results["latency"], indent=2), flush=True)
            print("== latency again, with `flask jobs worker --simple` (jobs in-process)", flush=True)
            url = create_database(args.postgres, "aphub_bench_latency")
            build(url, redis.url, 1, instant)
            redis_flush(redis.url)
            results["latency_simple_worker"] = measure(url, redis.url, instant, simple=True)
            print(json.dumps(results["latency_simple_worker"], indent=2), flush=True)
        if not args.no_latency:
            for simple in (False, True):
                print(f"== latency: attendance cut-off -> the attendance officer's email ({'--simple' if simple else 'forking'} worker)", flush=True)
                url = create_database(args.postgres, "aphub_bench_latency")
                build(url, redis.url, 1, instant)
                in_process("bench.cutoff_sweep", url, redis.url, at_time(instant, "07:30"), "expected_sessions")
                redis_flush(redis.url)
                results["latency_cutoff_simple" if simple else "latency_cutoff"] = measure(
                    url, redis.url, at_time(instant, "09:29"), simple=simple,
                    probe="jobs.attendance_sweeps.attendance_cutoffs")
                print(json.dumps(results["latency_cutoff_simple" if simple else "latency_cutoff"], indent=2),
                      flush=True)
    finally:
        redis.stop()
    runs = results["runs"]
    print("\n== Figures (targets from the jobs issue)")
    for history, run in runs.items():
        first, idle = run["first_sweep"], run["idle_sweep"]
        print(f"history {history}x: first sweep {first['seconds']} s doing {first['work']} (target <= 5 s), "
              f"peak {first['peak_rss_mb']} MB (target <= 300 MB); "
              f"{len(run['later_sweeps'])} more sweep(s) with work left (one escalation level per sweep); "
              f"sweep with nothing new due {idle['seconds']} s (target <= 1 s)")
        made = run["sessions_sweep"]
        print(f"  07:30 sessions sweep: {made['seconds']} s making {made['sessions_made']} sessions")
        page = run["today_page"]
        print(f"  today page ({page['school_placements']} placements in the school): p50 {page['p50_ms']} ms, "
              f"p95 {page['p95_ms']} ms (target <= 100 ms), queries {page['queries']} (target <= 12, same at 1x "
              f"and 10x); first request of the day {page['first_request']}")
        for cut in run["cutoff_sweeps"]:
            print(f"  cut-off sweep at {cut['at_local'][11:16]}: {cut['seconds']} s (target <= 5 s), "
                  f"peak {cut['peak_rss_mb']} MB, made {cut['tasks_made']}, {cut['emails_queued']} emails")
    if "latency" in results:
        lat = results["latency"]
        print(f"slot -> first email at SMTP {lat['slot_to_first_email_s']} s, last of {lat['emails']} "
              f"{lat['slot_to_last_email_s']} s (target <= 60 s), one worker")
        simple = results["latency_simple_worker"]
        print(f"  with --simple: first {simple['slot_to_first_email_s']} s, last of {simple['emails']} "
              f"{simple['slot_to_last_email_s']} s")
    for key, worker in (("latency_cutoff", "one forking worker"), ("latency_cutoff_simple", "one --simple worker")):
        if key in results:
            cut = results[key]
            print(f"cut-off -> first email at SMTP {cut['slot_to_first_email_s']} s, last of {cut['emails']} "
                  f"{cut['slot_to_last_email_s']} s (target <= 60 s), {worker}")
    if 1 in runs and 10 in runs:
        ratio = runs[10]["first_sweep"]["seconds"] / max(runs[1]["first_sweep"]["seconds"], 1e-6)
        results["history_ratio"] = round(ratio, 2)
        print(f"1x -> 10x history: first sweep time x{ratio:.2f} (target <= 1.5)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
