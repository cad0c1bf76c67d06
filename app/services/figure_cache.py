"""The figures of each school's periods, kept in Redis until a record of that school changes (issue 18).

Every trust page counts the same periods again on every view: the dashboard's six-half-term trends and this
half-term, the trust report's term and its comparison periods. A period's figures only change when a record it
counts changes, so `period_figures` keeps each (school, period)'s figures here and counts only what is missing.

Two versions a school: a period that ended before today is kept under the school's version, which the morning's
registers leave be (below); a period still running is kept under its live version, which every change of the
school's records puts up, today's registers included. A busy morning recounts the running period of each school
that marked a register since the last view, and only those; the ended periods stay kept all day.

Why a kept figure is never stale:
- Each school has a version number in Redis. After a commit that inserted, changed or deleted any record of the
  school (`_note_changes`, on every flush), the version goes up, and figures kept under the old version are never
  read again. Records that belong to no school (the shared provider register) put up a shared version that
  every school's key includes.
- The version is read before the figures are counted, so figures counted from a newer snapshot can only be
  kept under an older version, never the reverse.
- Records that cannot fall in an ended period leave the version be: a register session of today or later
  (the registers of the morning), a task due today or later (`_may_touch_the_past`). Everything else counts,
  including every record the figures never read: putting the version up too often costs a recount, never a
  wrong figure.
- Writes that bypass the ORM's flush (a pupil moved between schools, an erasure, the benchmark's history) call
  `records_changed` themselves.
- A running period's live version goes up with every change the version does and with today's registers and
  tasks: every record its figures count.
- The key names the day, so a figure never outlives the day it was counted on, and expires after a day anyway
  (`KEPT_SECONDS`): a lost version bump (Redis down at that very commit) lasts a day at most.
- Redis unreachable: everything is counted, as before; nothing fails.

The nightly attendance roll-up warms the trust dashboard's trends (`jobs.oversight_sweeps`), so the first view
of the morning is quick too. `FIGURE_CACHE = False` turns the keeping off.
"""
from __future__ import annotations

import datetime as dt
import logging
import pickle

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app import clock
from app.after_commit import install_after_commit
from app.models import (
    AccountToken,
    ApiToken,
    AttendanceDayCount,
    AttendanceSession,
    AuditEvent,
    BackgroundJob,
    CalendarFeed,
    Notification,
    Passkey,
    PasskeyChallenge,
    ProviderAttendanceLink,
    RecoveryCode,
    SignInAttempt,
    Task,
    TwoFactor,
    User,
    UserSession,
    WebhookDelivery,
    WebhookEvent,
)
from jobs.connection import redis_connection

log = logging.getLogger(__name__)

KEPT_SECONDS = 26 * 3600
SHARED = "shared"
LIVE = "live"
# Written on every request, sign-in, email or delivery, and read by no figure (app.services.ap_figures and
# app.services.part_time_flexi_figures read placements, providers, referrals, agreements, register sessions,
# welfare checks, tasks, reviews, QA, concerns, complaints, part-time timetables and flexi-schooling).
QUIET = (AuditEvent, UserSession, Notification, AttendanceDayCount, User, SignInAttempt, ApiToken, AccountToken,
         TwoFactor, RecoveryCode, Passkey, PasskeyChallenge, BackgroundJob, WebhookEvent, WebhookDelivery,
         CalendarFeed, ProviderAttendanceLink)
_CHANGED = "aphub_figure_cache_changed"


def _prefix() -> str:
    return f"{current_app.config['RQ_QUEUE_PREFIX']}:figures"


def _enabled() -> bool:
    return bool(current_app.config.get("FIGURE_CACHE", True))


def _key(versions: dict, school_id: int, window, variant: str, today: dt.date) -> str:
    # an ended window under the school's version, a running one under its live version
    version = versions[school_id] if window.last_day < today else f"live{versions[(LIVE, school_id)]}"
    return (f"{_prefix()}:{school_id}:v{version}.{versions[SHARED]}:{today}:{variant}:"
            f"{window.first_day}:{window.last_day}:{window.key}")


def _version_name(name) -> str:
    return f"{_prefix()}:version:{name[1]}:live" if isinstance(name, tuple) else f"{_prefix()}:version:{name}"


def _versions(conn, school_ids: list[int]) -> dict:
    names = [SHARED, *school_ids, *((LIVE, s) for s in school_ids)]
    values = conn.mget([_version_name(n) for n in names])
    return {n: int(v or 0) for n, v in zip(names, values, strict=True)}


def kept_figures(windows: dict[int, list], variant: str) -> tuple[dict, object]:
    """The kept figures of the windows, by (school id, window key), and a token for `keep` (None: keep nothing,
    Redis being away or the cache off)."""
    today = clock.today()
    wanted = [(s, w) for s, ws in windows.items() for w in ws]
    if not wanted or not _enabled():
        return {}, None
    try:
        conn = redis_connection()
        versions = _versions(conn, sorted(windows))
        found = conn.mget([_key(versions, s, w, variant, today) for s, w in wanted])
    except RedisError as exc:
        log.warning("figure cache unreachable (%s): counting every period", exc)
        return {}, None
    kept = {}
    for (school_id, window), value in zip(wanted, found, strict=True):
        if value is not None:
            kept[(school_id, window.key)] = pickle.loads(value)  # noqa: S301 (our own Redis, our own pickles)
    return kept, (versions, variant, today)


def keep(token, windows: dict[int, list], figures: dict) -> None:
    """Keep the figures just counted, under the versions read before counting them."""
    if token is None:
        return
    versions, variant, today = token
    try:
        with redis_connection().pipeline(transaction=False) as pipe:
            for school_id, ws in windows.items():
                for window in ws:
                    pipe.set(_key(versions, school_id, window, variant, today),
                             pickle.dumps(figures[(school_id, window.key)]), ex=KEPT_SECONDS)
            pipe.execute()
    except RedisError as exc:
        log.warning("figure cache unreachable (%s): figures not kept", exc)


def records_changed(school_ids, *, today_only: bool = False) -> None:
    """Put the schools' versions up (SHARED: every school's), so no figure kept before is read again. For
    writes that bypass the ORM's flush; call it after they commit. `today_only`: the writes could not touch a
    period that has ended (today's registers), so only the running periods' live versions go up."""
    names = {(LIVE, s) for s in school_ids if s != SHARED}
    if not today_only:
        names |= set(school_ids)
    try:
        with redis_connection().pipeline(transaction=False) as pipe:
            for name in names:
                pipe.incr(_version_name(name))
            pipe.execute()
    except RedisError as exc:
        log.warning("figure cache unreachable (%s): versions of %s not put up", exc, sorted(map(str, names)))


# --- after every flush, and after the commit -----------------------------------------------------------------

def _may_touch_the_past(obj) -> bool:
    """Could this change alter a period that ended before today? Only the two records written all day long are
    told apart; anything else is assumed to."""
    if isinstance(obj, AttendanceSession):
        name, today = "day", clock.today()
    elif isinstance(obj, Task):
        name, today = "due_at", clock.local_datetime(clock.today(), dt.time(0))
    else:
        return True
    history = inspect(obj).attrs[name].history
    values = [*(history.added or ()), *(history.deleted or ()), *(history.unchanged or ())]
    return any(v is None or _naive(v) < _naive(today) for v in values)


def _naive(value):
    return value.replace(tzinfo=None) if isinstance(value, dt.datetime) and value.tzinfo else value


def _note_changes(session: Session, _flush_context) -> None:
    changed, today_only = session.info.setdefault(_CHANGED, (set(), set()))
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, QUIET):
            continue
        school_id = getattr(obj, "school_id", None)
        (changed if _may_touch_the_past(obj) else today_only).add(school_id if isinstance(school_id, int) else SHARED)


def _after_commit(session: Session) -> None:
    changed, today_only = session.info.pop(_CHANGED, (set(), set()))
    if changed:
        records_changed(changed)
    if today_only - changed:
        records_changed(today_only - changed, today_only=True)


def install_figure_cache_upkeep(session_target) -> None:
    """Bound once, from the app factory, on the session class."""
    install_after_commit(session_target, _note_changes, _after_commit, _CHANGED)
