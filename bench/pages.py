"""The page-walk benchmark (issue 18): every GET page a signed-in role can open, on the generated trust at each
history size, for server time p50/p95 and SQL statements; then throughput under gunicorn for the five busiest
pages beside a hello-world Flask app under the same gunicorn settings, in the same run.

    .venv/bin/python -m bench.pages --postgres postgresql+psycopg://USER:PASS@127.0.0.1:5432/postgres
    .venv/bin/python -m bench.pages --postgres … --scale 0.1 --history 1 10 --requests 10 --seconds 10

`--scale` shrinks the trust (0.1: 5 schools, 300 placements, 2,500 pupils; 1 is the full 50 schools and 3,000
placements) for a shared machine. Each figure is printed with the load average (/proc/loadavg) at the time it was
taken. Writes a table to stdout and everything as JSON to bench/results/pages.json (or --out); a saved run's
table and figures again: `python -m bench.pages summary RESULTS.json` (compare two runs side by side).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"statements": 12, "school_p95_ms": 50, "trust_p95_ms": 100, "today_vs_hello": 0.05}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _app(database_url: str, redis_url: str):
    from app import create_app
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=database_url, REDIS_URL=redis_url,
                      RQ_QUEUE_PREFIX="bench", WTF_CSRF_ENABLED=False, TWO_FACTOR_MANDATORY=False,
                      LOG_FORMAT=None)


def walk_main(database_url: str, redis_url: str, local_iso: str, requests: str) -> dict:
    """In a fresh interpreter: the walk, as if at the benchmark's school-day morning."""
    from app.clock import SCHOOL_TZ, running_as_if
    from bench.large_trust import count_registration_verdicts
    from bench.page_walk import walk

    app = _app(database_url, redis_url)
    with running_as_if(datetime.fromisoformat(local_iso).replace(tzinfo=SCHOOL_TZ)):
        with app.app_context():  # by 09:10 the morning sweep has stored the day's 7.2 verdicts (a reused database)
            count_registration_verdicts()
        pages = walk(app, requests=int(requests),
                     log=lambda m: print(m, file=sys.stderr, flush=True))
    return {"loadavg_after": loadavg(), "pages": [p.as_dict() for p in pages]}


# --- throughput under gunicorn -------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), target],
        cwd=ROOT, env={**os.environ, **env, "PORT": str(port), "WEB_CONCURRENCY": "2"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    import http.client

    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"gunicorn {target} did not answer within 60 s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _sign_in_cookie(port: int, email: str) -> str:
    import http.client
    from urllib.parse import urlencode

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/sign-in", body=urlencode({"email": email, "password": "bench-password-1"}),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    if response.status not in (302, 303) or not cookies:
        raise RuntimeError(f"sign-in as {email} failed under gunicorn: {response.status}")
    return "; ".join(cookies)


def load(port: int, url: str, seconds: float, cookie: str | None = None, clients: int = 4) -> dict:
    """`clients` keep-alive connections GET `url` as fast as they are answered for `seconds`: requests/s."""
    import http.client

    counts, errors, stop = [0] * clients, [0] * clients, threading.Event()

    def one(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        while not stop.is_set():
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(35)
    elapsed = time.perf_counter() - t0
    return {"url": url, "requests_per_s": round(sum(counts) / elapsed, 1), "errors": sum(errors),
            "seconds": round(elapsed, 1), "loadavg": loadavg()}


def throughput(database_url: str, redis_url: str, local_iso: str, walked: list[dict], seconds: float) -> dict:
    """The five busiest pages (bench.page_walk.BUSIEST) as the role the walk opened them with, then the
    hello-world app, each under deploy/gunicorn.conf.py with two workers."""
    from bench.page_walk import BUSIEST

    env = {"APHUB_BENCH_DATABASE_URL": database_url, "APHUB_BENCH_REDIS_URL": redis_url,
           "APHUB_BENCH_AT": local_iso, "APHUB_ENV": "development"}
    emails = json.loads(os.environ.get("APHUB_BENCH_EMAILS", "{}"))
    out = {}
    process, port = _gunicorn("bench.wsgi_pages:app", env)
    try:
        for page in [p for p in walked if p["endpoint"] in BUSIEST and p["status"] == 200]:
            cookie = _sign_in_cookie(port, emails[page["role"]])
            out[page["url"]] = load(port, page["url"], seconds, cookie)
            print(f"  {page['url']}: {out[page['url']]['requests_per_s']} req/s "
                  f"(load {out[page['url']]['loadavg']})", flush=True)
    finally:
        _stop(process)
    process, port = _gunicorn("bench.hello_app:app", {})
    try:
        out["hello world"] = load(port, "/", seconds)
        print(f"  hello world: {out['hello world']['requests_per_s']} req/s (load {out['hello world']['loadavg']})",
              flush=True)
    finally:
        _stop(process)
    return out


# --- the run -------------------------------------------------------------------------------------------------


def _emails(database_url: str, redis_url: str) -> dict:
    from app.extensions import db
    from bench.page_walk import sign_ins, world_ids

    app = _app(database_url, redis_url)
    with app.app_context():
        people = dict(sign_ins(world_ids()["school_id"]))
        db.engine.dispose()
    return people


def in_process(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.pages", *args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"bench.pages {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(run: dict) -> str:
    from bench.page_walk import PageResult
    from bench.page_walk import table as page_table

    pages = [PageResult(**{k: v for k, v in p.items() if k not in ("max_statements", "min_statements")})
             for p in run["pages"]]
    return page_table(pages)


def summary(results: dict) -> list[str]:
    lines = []
    runs = results["runs"]
    for history, run in runs.items():
        measured = [p for p in run["pages"] if p["statements"]]
        # The steady count: a request that also recorded the session's last use (every few minutes) has more.
        over = [p for p in measured if min(p["statements"]) > TARGETS["statements"]]
        school = [p for p in measured if not (p["url"].startswith("/trust") or p["url"].startswith("/admin"))]
        trust = [p for p in measured if p["url"].startswith("/trust")]
        slow_school = [p for p in school if p["p95_ms"] > TARGETS["school_p95_ms"]]
        slow_trust = [p for p in trust if p["p95_ms"] > TARGETS["trust_p95_ms"]]
        lines.append(f"history {history}x (load {run['loadavg_after']}): {len(measured)} pages measured; "
                     f"{len(over)} over {TARGETS['statements']} statements; "
                     f"{len(slow_school)} school pages over {TARGETS['school_p95_ms']} ms p95; "
                     f"{len(slow_trust)} trust pages over {TARGETS['trust_p95_ms']} ms p95")
    if len(runs) >= 2:
        first, last = list(runs.values())[0], list(runs.values())[-1]
        before = {p["endpoint"]: min(p["statements"]) for p in first["pages"] if p["statements"]}
        grew = [p["url"] for p in last["pages"] if p["statements"] and before.get(p["endpoint"]) != min(p["statements"])]
        lines.append(f"statement counts that differ between {list(runs)[0]}x and {list(runs)[-1]}x: "
                     f"{', '.join(grew) or 'none'}")
    tp = results.get("throughput")
    if tp and "hello world" in tp:
        hello = tp["hello world"]["requests_per_s"] or 1
        for url, figure in tp.items():
            lines.append(f"throughput {url}: {figure['requests_per_s']} req/s = "
                         f"{100 * figure['requests_per_s'] / hello:.1f}% of hello world (load {figure['loadavg']})")
    return lines


def compare(old: dict, new: dict, only: set[str] | None = None) -> str:
    """Each page's steady statement count and p50/p95 in two saved runs, at each history size."""
    def by_endpoint(results: dict) -> dict:
        return {(h, p["endpoint"]): p for h, run in results["runs"].items() for p in run["pages"] if p["statements"]}

    before, after = by_endpoint(old), by_endpoint(new)
    lines = [f"{'history':<8}{'page':<56}{'statements':>14} {'p50 ms':>20} {'p95 ms':>20}"]
    for key in sorted(set(before) | set(after), key=lambda k: (int(k[0]), k[1])):
        if only and key[1] not in only:
            continue
        b, a = before.get(key), after.get(key)
        page = (a or b)["url"]

        def pair(field, b=b, a=a):
            get = (lambda p: min(p["statements"])) if field == "statements" else (lambda p: p[field])
            return f"{get(b) if b else '-'} -> {get(a) if a else '-'}"
        lines.append(f"{key[0] + 'x':<8}{page[:55]:<56}{pair('statements'):>14} {pair('p50_ms'):>20} {pair('p95_ms'):>20}")
    return "\n".join(lines)


def _existing_database(server_url: str, name: str) -> str:
    """A database generated before for bench_instant(), already at the newest migration."""
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="server URL; databases aphub_bench_pages_* are (re)made")
    parser.add_argument("--scale", type=float, default=1.0, help="trust size (1: 50 schools, 3,000 placements)")
    parser.add_argument("--history", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--requests", type=int, default=10, help="measured requests per page")
    parser.add_argument("--seconds", type=float, default=10, help="load time per page under gunicorn (0: none)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pages.json"))
    parser.add_argument("--existing", nargs="+", metavar="HISTORY=DATABASE", default=[],
                        help="walk databases built before (e.g. by bench.oversight_pages) instead of generating: "
                             "1=aphub_bench_oversight_1x 10=aphub_bench_oversight_10x")
    args = parser.parse_args()
    existing = dict(item.split("=", 1) for item in args.existing)
    sys.path.insert(0, str(ROOT))
    from bench.run import bench_instant, build, create_database
    from tests.servers import RedisServer

    # SIGTERM (timeout, Ctrl-C in a pipeline) runs the finally below: the Redis and the workers it started stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis = RedisServer()
    redis.start()
    instant = bench_instant()
    results = {"at_local": instant, "scale": args.scale, "loadavg_start": loadavg(), "runs": {}}
    try:
        for history in [int(h) for h in existing] or args.history:
            if str(history) in existing:
                url, rows = _existing_database(args.postgres, existing[str(history)]), {"reused": existing[str(history)]}
            else:
                print(f"== {args.scale}x trust, {history}x history: generating (load {loadavg()})", flush=True)
                url = create_database(args.postgres, f"aphub_bench_pages_h{history}")
                rows = build(url, redis.url, history, instant, scale=args.scale)
            print(f"== walking every page (load {loadavg()})", flush=True)
            run = in_process("walk", url, redis.url, instant, str(args.requests))
            run["rows"] = rows
            results["runs"][history] = run
            print(table(run), flush=True)
        if args.seconds:
            print(f"== throughput under gunicorn, {args.seconds} s a page (load {loadavg()})", flush=True)
            os.environ["APHUB_BENCH_EMAILS"] = json.dumps(_emails(url, redis.url))
            results["throughput"] = throughput(url, redis.url, instant, run["pages"], args.seconds)
    finally:
        redis.stop()
    results["summary"] = summary(results)
    print("\n".join(results["summary"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "walk":
        print(json.dumps(walk_main(*sys.argv[2:6])))
    elif len(sys.argv) > 1 and sys.argv[1] == "compare":  # compare OLD.json NEW.json [ENDPOINT...]
        print(compare(json.loads(Path(sys.argv[2]).read_text()), json.loads(Path(sys.argv[3]).read_text()),
                      set(sys.argv[4:]) or None))
    elif len(sys.argv) > 1 and sys.argv[1] == "summary":  # summary RESULTS.json: the table and figures again
        saved = json.loads(Path(sys.argv[2]).read_text())
        for history, run in saved["runs"].items():
            print(f"== history {history}x\n{table(run)}")
        print("\n".join(summary(saved)))
    else:
        raise SystemExit(main())
