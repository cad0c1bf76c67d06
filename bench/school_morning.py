"""A school morning under load (issue 20, item 7): the production process set on a generated trust, attendance
officers and provider links confirming the day's sessions while the cut-off sweeps run.

    .venv/bin/python -m bench.school_morning --postgres postgresql+psycopg://USER:PASS@127.0.0.1:5432/postgres

On a fresh database (made on that server, dropped afterwards) it migrates as the tables' owner, generates the trust
(bench/large_trust.py: 50 schools and 3,000 active placements by default, `--history` years of history times two),
makes the day's sessions with the 07:30 sweep, issues the provider links, and grants an application role that owns
nothing (row-level security binds it). Then it starts the process set as the Procfile does, in production settings
(gunicorn with deploy/gunicorn.conf.py, the --simple mail worker, the sweep worker, the periodic runner), every
process on one simulated clock running `--speed` times faster than real time from 09:00 on a school day
(bench/process_set.py). Attendance officers (one per school, signed in once, `--officers` of them) and provider
links (`--links`, each from its own address, as providers are) confirm the day's sessions at moments spread over
the first `--minutes` simulated minutes, through the same pages people use: the today page then its confirm form,
or the provider's link page then its form. A fraction (`--leave-unconfirmed`) is left for the 09:30 cut-off to
prompt. The cut-off sweeps run every five simulated minutes meanwhile.

Reported (a table, and JSON in bench/results/school_morning.json): requests, errors, p50/p95 per kind of request,
sessions confirmed, the sweeps' lag (from the simulated moment a slot falls due to its job finishing, in real
seconds), the prompts made, and the load average before and after. Nothing here is timed inside a test:
tests/ops/test_school_morning.py runs it at a tiny size so it cannot rot.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
START = "09:00"


@dataclass
class Plan:
    """Who confirms which of the day's sessions, and when (simulated seconds after 09:00)."""

    officers: dict[int, tuple[str, str]]  # school id -> (officer's email, school slug)
    links: dict[tuple[int, int], str]  # (school id, provider id) -> raw token
    actions: list[tuple[float, str, int, int, int]] = field(default_factory=list)  # (at, kind, school, provider, id)
    left_unconfirmed: int = 0


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def school_day(start: str = START) -> datetime:
    """The next school day in the generated calendars, at `start` England time."""
    from bench.run import bench_instant

    return datetime.fromisoformat(bench_instant()[:11] + start + ":00")


def prepare(owner_url: str, redis_url: str, args, day: datetime) -> Plan:
    """Migrate, generate, make the day's sessions, issue the links and choose who confirms what. As the owner."""
    import flask_migrate
    from sqlalchemy import select

    from app import create_app
    from app.clock import SCHOOL_TZ, running_as_if
    from app.extensions import db
    from app.models import AttendanceSession, School, SchoolRole, User
    from app.roles import SchoolRoleName
    from app.services import provider_links
    from bench.large_trust import Sizes, generate
    from config import DevelopmentConfig
    from jobs.attendance_sweeps import expected_sessions
    from tenants import school_scope, system_scope

    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=owner_url, REDIS_URL=redis_url,
                     RQ_QUEUE_PREFIX="morning-setup")
    rnd = random.Random(args.seed)
    with app.app_context():
        flask_migrate.upgrade()
        sizes = Sizes(schools=args.schools, placements=args.placements, pupils=max(args.placements * 8, 50),
                      providers=max(args.schools * 6, 4), history=args.history)
        with running_as_if((day - timedelta(hours=2)).replace(tzinfo=SCHOOL_TZ)):
            generate(sizes, log=lambda m: print(m, flush=True))
        with running_as_if(day.replace(hour=7, minute=30).replace(tzinfo=SCHOOL_TZ)):
            expected_sessions()  # the 07:30 sweep: the day's sessions, as the worker would make them
            with system_scope("benchmark: the morning's plan"):
                sessions = db.session.execute(select(AttendanceSession.id, AttendanceSession.school_id,
                                                     AttendanceSession.provider_id)
                                              .where(AttendanceSession.day == day.date())).all()
                slugs = dict(db.session.execute(select(School.id, School.slug)).all())
                officers = {sid: email for email, sid in db.session.execute(
                    select(User.email, SchoolRole.school_id).join(SchoolRole, SchoolRole.user_id == User.id)
                    .where(SchoolRole.role == SchoolRoleName.ATTENDANCE_OFFICER.value))}
                leaders = {sid: uid for uid, sid in db.session.execute(
                    select(SchoolRole.user_id, SchoolRole.school_id)
                    .where(SchoolRole.role == SchoolRoleName.AP_LEADER.value))}
                per_pair = defaultdict(int)
                for _, sid, pid in sessions:
                    per_pair[(sid, pid)] += 1
            schools = sorted({sid for _, sid, _ in sessions}, key=lambda s: -sum(
                n for (sid, _), n in per_pair.items() if sid == s))[: args.officers]
            plan = Plan(officers={sid: (officers[sid], slugs[sid]) for sid in schools}, links={})
            for sid, pid in sorted(per_pair, key=lambda k: -per_pair[k])[: args.links]:
                with school_scope(sid):
                    leader = db.session.get(User, leaders[sid])
                    issued = provider_links.issue_link(pid, 1, "benchmark morning", leader)
                    assert issued.token, issued.errors
                    plan.links[(sid, pid)] = issued.token
        db.session.remove()
        db.engine.dispose()
    span = args.minutes * 60 * 0.95
    for session_id, sid, pid in sessions:
        if rnd.random() < args.leave_unconfirmed:
            plan.left_unconfirmed += 1
            continue
        kind = "link" if (sid, pid) in plan.links else "officer" if sid in plan.officers else None
        if kind:
            plan.actions.append((rnd.uniform(0, span), kind, sid, pid, session_id))
        else:
            plan.left_unconfirmed += 1
    plan.actions.sort()
    print(f"plan: {len(sessions)} sessions today, {len(plan.actions)} to confirm ({len(plan.officers)} officers, "
          f"{len(plan.links)} links), {plan.left_unconfirmed} left for the cut-off", flush=True)
    return plan


def app_role(owner_url: str) -> tuple[str, str, callable]:
    """An application role that owns nothing, granted what the app needs (`flask ops grant-app-role`)."""
    import psycopg
    from sqlalchemy.engine import make_url

    owner = make_url(owner_url)
    role, password = f"aphub_morning_{secrets.token_hex(3)}", secrets.token_hex(16)
    admin = owner.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    subprocess.run([str(VENV_BIN / "flask"), "--app", "app", "ops", "grant-app-role", role], cwd=ROOT, check=True,
                   env={**_base_env(), "DATABASE_URL": owner_url, "APHUB_ENV": "development"},
                   capture_output=True)

    def drop():
        with psycopg.connect(admin.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")

    return owner.set(username=role, password=password).render_as_string(hide_password=False), role, drop


def _base_env() -> dict:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "FLASK_", "APHUB_"))},
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}", "PYTHONUNBUFFERED": "1"}


class Confirmer:
    """The people: each officer's browser (cookies, one address) and each link's (its own address)."""

    def __init__(self, port: int, plan: Plan):
        from tests.ops.browser import Browser

        self.port, self.plan, self.browsers, self.locks = port, plan, {}, defaultdict(threading.Lock)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.kinds: dict[str, int] = defaultdict(int)  # what went wrong, counted
        self.confirmed = 0
        self._lock = threading.Lock()
        self._browser_class = Browser

    def _browser(self, key, address: str):
        if key not in self.browsers:
            browser = self._browser_class(self.port)
            browser.address = address
            self.browsers[key] = browser
        return self.browsers[key]

    def _request(self, browser, kind: str, path: str, data: dict | None = None, expect=(200, 302)):
        headers = {"X-Forwarded-For": browser.address}
        started = time.perf_counter()
        try:
            status, response_headers, body = browser.request(path, data, headers=headers)
        except OSError as error:  # a refused connection, or no answer within the browser's 20 s
            with self._lock:
                self.errors.append(f"{kind} {path}: {error}")
                self.kinds["no answer" if "timed out" in str(error) else "connection"] += 1
            return None
        elapsed = time.perf_counter() - started
        with self._lock:
            self.timings[kind].append(elapsed)
            if status not in expect:
                self.errors.append(f"{kind} {path}: HTTP {status}")
                self.kinds["server error" if status >= 500 else f"HTTP {status}"] += 1
                return None
        return body

    def sign_in_officers(self) -> None:
        from tests.ops.browser import csrf_token

        for n, (sid, (email, _slug)) in enumerate(self.plan.officers.items()):
            browser = self._browser(("officer", sid), f"198.18.{1 + n // 250}.{1 + n % 250}")
            page = self._request(browser, "sign-in page", "/sign-in")
            body = self._request(browser, "sign-in", "/sign-in", {"email": email, "password": "bench-password-1",
                                                                  "csrf_token": csrf_token(page or "")})
            if body is None:
                raise SystemExit(f"officer {email} could not sign in: {self.errors[-1:]}")

    def confirm(self, kind: str, sid: int, pid: int, session_id: int) -> None:
        from tests.ops.browser import csrf_token

        if kind == "officer":
            email, slug = self.plan.officers[sid]
            browser = self._browser(("officer", sid), "")
            paths = (f"/{slug}/attendance/", f"/{slug}/attendance/sessions/{session_id}/confirm")
            data = {"outcome": "attended", "via": "call"}
        else:
            token = self.plan.links[(sid, pid)]
            n = list(self.plan.links).index((sid, pid))
            browser = self._browser(("link", sid, pid), f"198.19.{n // 250}.{1 + n % 250}")
            paths = (f"/provider-attendance/{token}", f"/provider-attendance/{token}/sessions/{session_id}")
            data = {"outcome": "attended"}
        with self.locks[id(browser)]:  # one person does one thing at a time
            page = self._request(browser, f"{kind}: page", paths[0])
            if page is None:
                return
            if self._request(browser, f"{kind}: confirm", paths[1], {**data, "csrf_token": csrf_token(page)},
                             expect=(302,)) is not None:
                with self._lock:
                    self.confirmed += 1


def write_clock(path: Path, instant: datetime, speed: float) -> float:
    set_at = time.time()
    path.write_text(json.dumps({"instant": instant.isoformat(), "set_at": set_at, "speed": speed}))
    return set_at


def run(args) -> dict:
    from app.clock import SCHOOL_TZ
    from bench.run import create_database
    from tests.ops.browser import Browser
    from tests.servers import RedisServer, SmtpSink, free_port

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the SMTP server's line per command
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    redis, smtp = RedisServer(), SmtpSink()
    redis.start()
    smtp.start()
    name = f"aphub_morning_{secrets.token_hex(3)}"
    owner_url = create_database(args.postgres, name)
    day = school_day()
    processes, results = [], {}
    drop_role = None
    workdir = Path(args.workdir or (ROOT / "var" / "school-morning"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        plan = prepare(owner_url, redis.url, args, day)
        results["prepare_seconds"] = round(time.perf_counter() - t0, 1)
        app_url, _role, drop_role = app_role(owner_url)
        clock_file = workdir / "clock.json"
        start = day.replace(tzinfo=SCHOOL_TZ)
        write_clock(clock_file, start - timedelta(minutes=20), 1.0)  # 08:40 while the processes start
        port = free_port()
        env = {**_base_env(), "APHUB_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
               "DATABASE_URL": app_url, "REDIS_URL": redis.url, "RQ_QUEUE_PREFIX": "morning",
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "BASE_URL": "https://aphub.example.org",
               "METRICS_TOKEN": secrets.token_hex(16), "GUNICORN_BIND": f"127.0.0.1:{port}",
               "WEB_CONCURRENCY": str(args.web_workers), "APHUB_INSTANCE_PATH": str(workdir)}
        for kind in ("web", "mail", "worker", "cron"):
            processes.append(subprocess.Popen([sys.executable, "-m", "bench.process_set", kind, str(clock_file)],
                                              cwd=ROOT, env=env, start_new_session=True,
                                              stdout=(workdir / f"{kind}.log").open("w"), stderr=subprocess.STDOUT))
        _wait_ready(Browser(port), processes)
        people = Confirmer(port, plan)
        people.sign_in_officers()
        set_at = write_clock(clock_file, start, args.speed)  # 09:00 now
        print(f"09:00 (simulated, x{args.speed}): {len(plan.actions)} confirmations over {args.minutes} minutes",
              flush=True)
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for at, kind, sid, pid, session_id in plan.actions:
                delay = set_at + at / args.speed - time.time()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(people.confirm, kind, sid, pid, session_id)
        finished_sim = start + timedelta(seconds=(time.time() - set_at) * args.speed)
        # On to the cut-off (30 minutes after the providers' 09:00 start) and its sweep.
        cutoff_due = start + timedelta(minutes=30)
        wait_real = max(0.0, (cutoff_due - finished_sim).total_seconds() / args.speed) + 20
        time.sleep(wait_real)
        results.update(_report(people, plan, redis.url, start, set_at, args, finished_sim))
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if drop_role:
            _drop_database(args.postgres, name)
            drop_role()
        redis.stop()
        smtp.stop()
    results["load_average_before"] = load_before
    results["load_average_after"] = Path("/proc/loadavg").read_text().split()[:3]
    return results


def _wait_ready(browser, processes, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise SystemExit(f"a process stopped by itself (exit {process.returncode}): see its log")
        try:
            if browser.request("/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the process set was not ready in time")


def _drop_database(server_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server_url).set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _report(people: Confirmer, plan: Plan, redis_url: str, start: datetime, set_at: float, args,
            finished_sim: datetime) -> dict:
    """Requests, errors and latency from the people; the sweeps' lag from RQ's records of the periodic jobs."""
    import redis as redis_lib
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    requests = {kind: {"requests": len(t), "p50_ms": round(_percentile(t, 50) * 1000, 1),
                       "p95_ms": round(_percentile(t, 95) * 1000, 1)} for kind, t in sorted(people.timings.items())}
    conn = redis_lib.Redis.from_url(redis_url)
    lags, failed_sweeps = [], 0
    for queue in ("morning-sweeps", "morning-default", "morning-urgent", "morning-email"):
        finished = FinishedJobRegistry(queue, connection=conn).get_job_ids()
        failed = FailedJobRegistry(queue, connection=conn).get_job_ids()
        failed_sweeps += sum(1 for i in failed if i.startswith("periodic-"))
        for job in Job.fetch_many([i for i in finished if i.startswith("periodic-attendance-cutoffs")],
                                  connection=conn):
            if job is None or job.ended_at is None:
                continue
            slot = _slot_of(job.id)
            if slot is None:
                continue
            due_real = set_at + (slot - start).total_seconds() / args.speed
            local = slot.astimezone(start.tzinfo)
            lags.append((local.strftime("%H:%M"), round(job.ended_at.timestamp() - due_real, 2)))
    all_timings = [t for ts in people.timings.values() for t in ts]
    return {
        "sessions_to_confirm": len(plan.actions), "confirmed": people.confirmed,
        "left_for_the_cutoff": plan.left_unconfirmed, "officers": len(plan.officers), "links": len(plan.links),
        "requests": len(all_timings), "errors": len(people.errors), "errors_by_kind": dict(people.kinds), "error_samples": people.errors[:10],
        "p50_ms": round(_percentile(all_timings, 50) * 1000, 1), "p95_ms": round(_percentile(all_timings, 95) * 1000, 1),
        "by_kind": requests, "simulated_minutes_used": round((finished_sim - start).total_seconds() / 60, 1),
        "cutoff_sweep_lag_seconds": sorted(lags), "max_cutoff_sweep_lag_seconds": max((s for _, s in lags), default=None),
        "failed_sweep_jobs": failed_sweeps, "speed": args.speed,
    }


def _slot_of(job_id: str) -> datetime | None:
    """The slot a periodic job was for, from its id (periodic-NAME-YYYYMMDDTHHMMZ, jobs/schedule.py's label, in
    UTC): None if it cannot be read."""
    try:
        return datetime.strptime(job_id.rsplit("-", 1)[-1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def print_table(results: dict) -> None:
    print("\nA school morning under load")
    print(f"  confirmed {results['confirmed']} of {results['sessions_to_confirm']} sessions "
          f"({results['officers']} officers, {results['links']} provider links) in "
          f"{results['simulated_minutes_used']} simulated minutes (x{results['speed']})")
    print(f"  requests {results['requests']}, errors {results['errors']} {results['errors_by_kind']}, "
          f"p50 {results['p50_ms']} ms, p95 {results['p95_ms']} ms")
    for kind, figures in results["by_kind"].items():
        print(f"    {kind:22} {figures['requests']:6} requests  p50 {figures['p50_ms']:7} ms  p95 {figures['p95_ms']:7} ms")
    print(f"  cut-off sweep lag (slot: seconds after it fell due): {results['cutoff_sweep_lag_seconds']}")
    print(f"  failed sweep jobs {results['failed_sweep_jobs']}; left for the cut-off {results['left_for_the_cutoff']}")
    print(f"  load average before {results['load_average_before']}, after {results['load_average_after']}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="server URL; a database aphub_morning_* is made and dropped")
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--placements", type=int, default=3000, help="active placements across the trust")
    parser.add_argument("--history", type=int, default=0, help="history multiplier for the generator (0: none)")
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--links", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=30, help="simulated minutes to confirm the sessions in")
    parser.add_argument("--speed", type=float, default=10, help="simulated seconds per real second")
    parser.add_argument("--leave-unconfirmed", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=24, help="requests in flight at most")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="logs and the clock file (default var/school-morning)")
    parser.add_argument("--json", help="write the results here (default bench/results/school_morning.json)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    results = run(args)
    out = Path(args.json or ROOT / "bench" / "results" / "school_morning.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    return results


if __name__ == "__main__":
    figures = main()
    sys.exit(1 if figures["errors"] or figures["confirmed"] < figures["sessions_to_confirm"] else 0)
