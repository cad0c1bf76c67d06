"""The periodic runner: every few seconds, enqueue what the schedule (jobs.schedule) says is due.

Why not `rq cron`: its cron strings are evaluated in UTC (our times are England's wall-clock times, across the
BST changes), it has no leader lock and does not catch up after downtime. This loop is small and does all three:

- Exactly one active runner: a Redis lock (SET NX EX) held by one runner id and renewed every tick. Any number
  of runners may be started (one per worker machine, say); the others wait and one takes over within
  `lock_seconds` when the holder dies.
- Each run is enqueued with the job id (job name, slot) and `unique=True`: two runners, or a tick replayed
  after a crash, enqueue it once.
- The last tick is kept in Redis, so a runner restarted after a gap enqueues the slots it missed (bounded to
  the last `catch_up`; an interval job runs once for all its missed slots).
"""
from __future__ import annotations

import logging
import signal
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask import current_app
from redis import Redis
from rq.utils import import_attribute

from app import clock
from jobs import sweep_stats
from jobs.connection import redis_connection
from jobs.enqueue import enqueue, safe_job_id
from jobs.schedule import PERIODIC_JOBS, DueRun, PeriodicJob, due_runs, job_named

log = logging.getLogger(__name__)

TICK_SECONDS = 10
LOCK_SECONDS = 45
CATCH_UP = timedelta(hours=6)

# Take the lock if it is free, or renew it if we hold it: one atomic step, so two runners cannot both win.
_ACQUIRE_OR_RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
    redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
    return 1
elseif holder == ARGV[1] then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class PeriodicRunner:
    def __init__(self, connection: Redis, jobs: Iterable[PeriodicJob] = PERIODIC_JOBS, *,
                 prefix: str | None = None, runner_id: str | None = None, lock_seconds: int = LOCK_SECONDS,
                 catch_up: timedelta = CATCH_UP):
        self.connection = connection
        self.jobs = tuple(jobs)
        prefix = prefix if prefix is not None else current_app.config["RQ_QUEUE_PREFIX"]
        self.lock_key = f"{prefix}:periodic:leader"
        self.last_tick_key = f"{prefix}:periodic:last-tick"
        self.runner_id = runner_id or uuid.uuid4().hex
        self.lock_seconds = lock_seconds
        self.catch_up = catch_up
        self._acquire = connection.register_script(_ACQUIRE_OR_RENEW)
        self._release = connection.register_script(_RELEASE)

    # the lock

    def hold_lock(self) -> bool:
        """Take or renew the leader lock; False while another runner holds it."""
        return bool(self._acquire(keys=[self.lock_key], args=[self.runner_id, self.lock_seconds]))

    def release_lock(self) -> None:
        self._release(keys=[self.lock_key], args=[self.runner_id])

    # the last tick

    def last_tick(self) -> datetime | None:
        raw = self.connection.get(self.last_tick_key)
        return datetime.fromisoformat(raw.decode()) if raw else None

    def _remember_tick(self, at: datetime) -> None:
        self.connection.set(self.last_tick_key, at.astimezone(UTC).isoformat())

    # one tick

    def tick(self, now: datetime | None = None) -> list[DueRun]:
        """If this runner leads: enqueue every run due since the last tick and return the ones enqueued now."""
        if not self.hold_lock():
            return []
        now = now or clock.now()
        last = self.last_tick()
        if last is None:
            last = now  # a first start has missed nothing
        last = max(last, now - self.catch_up)
        enqueued = []
        for run in due_runs(self.jobs, last, now):
            if self._enqueue(run):
                enqueued.append(run)
        # Only after enqueuing: a runner that dies in between replays the slots, and the job ids absorb it.
        self._remember_tick(now)
        return enqueued

    def _enqueue(self, run: DueRun) -> bool:
        job = enqueue(run.job.queue, run.job.func, job_id=safe_job_id("periodic", run.job.name, run.slot_label),
                      unique=True, result_ttl=int((self.catch_up + timedelta(hours=1)).total_seconds()),
                      **sweep_stats.callbacks(run.job.name))
        if job is None:
            log.info("periodic %s for %s was already enqueued", run.job.name, run.slot_label)
            return False
        log.info("enqueued periodic %s for %s", run.job.name, run.slot_label)
        return True

    # the loop

    def run(self, stop: threading.Event | None = None, tick_seconds: float = TICK_SECONDS) -> None:
        """Tick until `stop` is set; let the lock go on the way out so another runner takes over at once."""
        stop = stop or threading.Event()
        leading = False
        try:
            while not stop.is_set():
                try:
                    self.tick()
                    now_leading = self.connection.get(self.lock_key) == self.runner_id.encode()
                    if now_leading != leading:
                        leading = now_leading
                        log.warning("periodic runner %s is %s", self.runner_id,
                                    "now the active runner" if leading else "waiting (another runner is active)")
                except Exception:  # Redis away for a moment: keep trying; the last tick makes up for the gap
                    log.exception("periodic runner tick failed; retrying in %ss", tick_seconds)
                stop.wait(tick_seconds)
        finally:
            try:
                self.release_lock()
            except Exception:
                log.warning("could not release the periodic runner's lock; it lapses in %ss", self.lock_seconds)


def run_cron(tick_seconds: float = TICK_SECONDS) -> None:
    """`flask jobs cron`: run the periodic runner until SIGINT or SIGTERM."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    runner = PeriodicRunner(redis_connection())
    log.warning("periodic runner %s started: %d jobs, a tick every %ss", runner.runner_id, len(runner.jobs),
                tick_seconds)
    runner.run(stop, tick_seconds)
    log.warning("periodic runner %s stopped", runner.runner_id)


def run_now(name: str):
    """`flask jobs run-sweep NAME`: run one scheduled job in this process, now (it is idempotent)."""
    return import_attribute(job_named(name).func)()
