"""Generate a large fictional trust for the benchmark, straight into the database with COPY / bulk inserts.

Sizes follow the jobs issue: 50 schools, 300 providers, 25,000 pupils, 3,000 active placements (each with a
weekly pattern) and two years of history: staff in every role, every school's calendar, and the trail such a
trust leaves in two years — completed tasks and sent notifications — plus the items now due (one open task per
active placement) — and every active placement's attendance sessions at its provider for those two years,
confirmed, with their register codes (issue 6).

History is scaled by `history` (1 = two years, 10 = twenty years' worth of rows), so the benchmark can show
that a sweep's time follows the work due, not the history.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import insert, select, text

from app.clock import now, today
from app.extensions import db
from app.models import (
    HalfTerm,
    LAContact,
    LAContactKind,
    LocalAuthority,
    School,
    SchoolPhase,
    SchoolRole,
    Trust,
    TrustRole,
    User,
)
from app.roles import SchoolRoleName, TrustRoleName


@dataclass
class Sizes:
    schools: int = 50
    placements: int = 3000  # active placements, and one due item each (a review due, say)
    pupils: int = 25000
    providers: int = 300
    history: int = 1  # multiplier on two years of history
    history_items_per_placement_year: int = 40  # reviews, attendance prompts, welfare checks... per year

    @classmethod
    def scaled(cls, scale: float, history: int = 1) -> Sizes:
        """The same trust's shape at `scale` times its size (0.1: 5 schools, 300 placements), for iterating on a
        shared machine; the full size is scale 1."""
        full = cls()
        return cls(schools=max(2, round(full.schools * scale)), placements=max(4, round(full.placements * scale)),
                   pupils=max(20, round(full.pupils * scale)), providers=max(6, round(full.providers * scale)),
                   history=history)


def _copy_rows(conn, table, columns: list[str], rows) -> int:
    """COPY on PostgreSQL (fast for millions of rows), executemany elsewhere."""
    rows = list(rows)
    if not rows:
        return 0
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        # PostgreSQL refuses COPY FROM into a table under row-level security (migration 0009), even for its
        # owner: the generator, run as the owner, lifts it for the load inside its own transaction.
        secured = conn.scalar(text("SELECT relrowsecurity FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                              {"t": table.name})
        if secured:
            conn.execute(text(f'ALTER TABLE "{table.name}" DISABLE ROW LEVEL SECURITY'))
        with raw.cursor() as cur:
            with cur.copy(f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        if secured:
            conn.execute(text(f'ALTER TABLE "{table.name}" ENABLE ROW LEVEL SECURITY'))
    else:
        conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
    return len(rows)


def generate(sizes: Sizes, seed: int = 7, log=print) -> dict:
    """Generate into the app's database (expects an empty, migrated schema). Returns row counts. Its Core
    statements span every school: the system scope lets them through PostgreSQL's row-level security."""
    from tenants import system_scope

    with system_scope("benchmark: generating a large trust"):
        return _generate(sizes, seed, log)


def _generate(sizes: Sizes, seed: int, log) -> dict:
    from app.school_calendar import generate_school_year  # the same generator the demo uses

    rnd = random.Random(seed)
    counts: dict[str, int] = {}
    t0 = now()
    password_hash = User(email="x", full_name="x")
    password_hash.set_password("bench-password-1")
    pw = password_hash.password_hash
    with db.engine.begin() as conn:
        trust_id = conn.execute(insert(Trust).values(name="Benchmark Valley Trust", created_at=t0, updated_at=t0)
                                .returning(Trust.id)).scalar_one()
        la_ids = []
        for i in range(10):
            la_id = conn.execute(insert(LocalAuthority).values(name=f"Bench Council {i}", code=f"9{i:02d}",
                                                               created_at=t0, updated_at=t0)
                                 .returning(LocalAuthority.id)).scalar_one()
            la_ids.append(la_id)
            conn.execute(insert(LAContact), [
                dict(local_authority_id=la_id, kind=kind.value, name=f"{kind.label} {i}",
                     email=f"{kind.value}.{i}@la.example.org", created_at=t0, updated_at=t0)
                for kind in LAContactKind])
        phases = [SchoolPhase.PRIMARY, SchoolPhase.SECONDARY, SchoolPhase.INFANT, SchoolPhase.JUNIOR]
        school_ids = []
        for i in range(sizes.schools):
            sid = conn.execute(insert(School).values(
                trust_id=trust_id, name=f"Bench School {i:02d}", slug=f"bench-{i:02d}", urn=f"7{i:05d}",
                phase=phases[i % 4].value, local_authority_id=la_ids[i % len(la_ids)], attendance_cutoff_minutes=30,
                is_active=True, created_at=t0, updated_at=t0).returning(School.id)).scalar_one()
            school_ids.append(sid)
        counts["schools"] = len(school_ids)

        user_rows, role_rows = [], []
        next_user = conn.execute(select(text("coalesce(max(id), 0) + 1")).select_from(User.__table__)).scalar_one()
        users_by_school_role: dict[tuple[int, str], int] = {}
        for sid in school_ids:
            for role in SchoolRoleName:
                uid = next_user
                next_user += 1
                user_rows.append((uid, f"{role.value}.{sid}@bench.example.org", f"{role.label} {sid}", pw, True,
                                  "immediate" if uid % 3 else "daily_digest", f"tok{uid:061d}", t0, t0))
                role_rows.append((uid, sid, role.value, t0, t0))
                users_by_school_role[(sid, role.value)] = uid
        trust_role_rows = []
        for role in TrustRoleName:
            uid = next_user
            next_user += 1
            user_rows.append((uid, f"{role.value}@bench.example.org", role.label, pw, True, "immediate",
                              f"tok{uid:061d}", t0, t0))
            trust_role_rows.append((uid, role.value, t0, t0))
        counts["users"] = _copy_rows(conn, User.__table__, ["id", "email", "full_name", "password_hash", "is_enabled",
                                                             "notification_preference", "session_token",
                                                             "created_at", "updated_at"], user_rows)
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"))
        _copy_rows(conn, SchoolRole.__table__, ["user_id", "school_id", "role", "created_at", "updated_at"], role_rows)
        _copy_rows(conn, TrustRole.__table__, ["user_id", "role", "created_at", "updated_at"], trust_role_rows)

        # Calendars: the two past school years (the history) and the current and next one.
        this_year = today().year if today().month >= 9 else today().year - 1
        ht_rows = []
        for sid in school_ids:
            for year in range(this_year - 2, this_year + 2):
                for ht in generate_school_year(year):
                    ht_rows.append((sid, ht.academic_year, str(ht.term), ht.part, ht.first_day, ht.last_day, t0, t0))
        counts["half_terms"] = _copy_rows(conn, HalfTerm.__table__, ["school_id", "academic_year", "term", "part",
                                                                      "first_day", "last_day", "created_at",
                                                                      "updated_at"], ht_rows)
    counts.update(generate_pupils_and_placements(sizes, school_ids, rnd))
    counts["registration_verdicts"] = count_registration_verdicts()
    counts.update(generate_history(sizes, school_ids, users_by_school_role, rnd, log))
    counts.update(generate_due_items(sizes, school_ids, rnd))
    counts.update(generate_attendance_history(sizes, school_ids, rnd, log))
    if db.engine.dialect.name == "postgresql":
        # As a database that has been running a while would be after a bulk load: vacuumed and analysed, so the
        # measurements are not of autovacuum catching up with a million fresh rows.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return counts


def generate_pupils_and_placements(sizes: Sizes, school_ids, rnd: random.Random) -> dict:
    """The shared register, every school's pupils, and the active placements with their weekly patterns."""
    from datetime import date, time

    from app.models import Placement, Provider, Pupil, WeeklySession

    t0 = now()
    kinds = ["off_site"] * 8 + ["online_only", "on_site"]
    statuses = ["registered_independent_school", "other_registered", "unregistered"]
    with db.engine.begin() as conn:
        provider_rows = [(f"Bench Provider {i:03d}", kinds[i % len(kinds)], statuses[i % 3],
                          school_ids[i % len(school_ids)] if kinds[i % len(kinds)] == "on_site" else None,
                          False, t0, t0) for i in range(sizes.providers)]
        _copy_rows(conn, Provider.__table__, ["name", "kind", "registration_status", "owning_school_id",
                                              "on_la_approved_list", "created_at", "updated_at"], provider_rows)
        provider_ids = list(conn.execute(select(Provider.id).where(Provider.owning_school_id.is_(None))).scalars())
        per_school = sizes.pupils // len(school_ids)
        pupil_rows = []
        for n, sid in enumerate(school_ids):
            for i in range(per_school):
                year_group = 1 + (i % 11)
                dob = date(today().year - 5 - year_group, 1 + i % 12, 1 + i % 28)
                pupil_rows.append((sid, f"B{n:02d}{i:010d}", f"Pupil{i}", f"Bench{n}", dob, year_group,
                                   i % 40 == 0, i % 7 == 0, i % 60 == 0, i % 30 == 0, i % 4 == 0, t0, t0))
        _copy_rows(conn, Pupil.__table__, ["school_id", "upn", "first_name", "last_name", "date_of_birth",
                                           "year_group", "has_ehcp", "sen_support", "is_looked_after",
                                           "has_social_worker", "fsm_eligible", "created_at", "updated_at"],
                   pupil_rows)
        placement_rows = []
        per_school_placements = sizes.placements // len(school_ids)
        pupils_by_school: dict[int, list[int]] = {}
        for pid, sid in conn.execute(select(Pupil.id, Pupil.school_id)):
            pupils_by_school.setdefault(sid, []).append(pid)
        for sid in school_ids:
            for pid in rnd.sample(pupils_by_school[sid], per_school_placements):
                start = today() - timedelta(days=rnd.randint(7, 300))
                placement_rows.append((sid, pid, rnd.choice(provider_ids), "active", "school", False, start,
                                       t0, t0))
        _copy_rows(conn, Placement.__table__, ["school_id", "pupil_id", "provider_id", "status", "arranged_by",
                                               "is_off_site_direction", "start_date", "created_at", "updated_at"],
                   placement_rows)
        session_rows = []
        for placement_id, sid in conn.execute(select(Placement.id, Placement.school_id)):
            for weekday in rnd.sample(range(5), 2):
                session_rows.append((sid, placement_id, weekday, "am", time(9, 0), time(12, 0), t0, t0))
                session_rows.append((sid, placement_id, weekday, "pm", time(13, 0), time(15, 15), t0, t0))
        _copy_rows(conn, WeeklySession.__table__, ["school_id", "placement_id", "weekday", "session", "starts_at",
                                                   "ends_at", "created_at", "updated_at"], session_rows)
    return {"providers": len(provider_rows), "pupils": len(pupil_rows), "active_placements": len(placement_rows),
            "weekly_sessions": len(session_rows)}


def count_registration_verdicts() -> int:
    """Each unregistered provider's 7.2 verdict stored, as the morning sweep would: the placements above went
    straight into the database, past the session hooks that keep the verdicts current."""
    from app.services.registration_verdicts import refresh_stale_verdicts

    counted = refresh_stale_verdicts()
    db.session.commit()
    return counted


def generate_history(sizes: Sizes, school_ids, users_by_school_role, rnd: random.Random, log=print,
                     before_years: int = 0) -> dict:
    """Completed tasks and sent notifications: what two years (times `history`) of AP work leaves behind, ending
    `before_years` years ago (to add older history to a generated trust, see `add_history`)."""
    from app.models import Notification, Task

    per_school = sizes.placements // len(school_ids)
    items_per_school = per_school * sizes.history_items_per_placement_year * 2 * sizes.history
    end = now() - timedelta(days=1 + 365 * before_years)
    start = end - timedelta(days=730 * sizes.history)
    span = (end - start).total_seconds()
    total_tasks = total_notes = 0
    for n, sid in enumerate(school_ids):
        task_rows, note_rows = [], []
        recipient = users_by_school_role[(sid, SchoolRoleName.AP_LEADER.value)]
        for i in range(items_per_school):
            at = start + timedelta(seconds=rnd.random() * span)
            key = f"hist-{before_years}-{sid}-{i}"
            task_rows.append((sid, "half_termly_review" if i % 8 == 0 else "attendance_unconfirmed",
                              f"Historic item {i}", "ap_leader", at, at + timedelta(hours=2), False, "done",
                              recipient, at + timedelta(hours=1), key, 0, at, None))
            note_rows.append((sid, key, "staff", f"ap_leader.{sid}@bench.example.org", recipient, "task_created",
                              json.dumps({}), f"Historic {i}", "body", False, "immediate", "sent", 1, at,
                              f"<{key}@bench.example.org>", at, at))
        with db.engine.begin() as conn:
            total_tasks += _copy_tasks(conn, Task, task_rows)
            total_notes += _copy_rows(conn, Notification.__table__, [
                "school_id", "dedupe_key", "audience", "recipient_email", "recipient_user_id", "template", "context",
                "subject", "body_text", "urgent", "delivery", "status", "attempts", "sent_at", "message_id",
                "created_at", "updated_at"], note_rows)
        if n % 10 == 9:
            log(f"  history: {n + 1}/{len(school_ids)} schools, {total_tasks} tasks, {total_notes} notifications")
    return {"history_tasks": total_tasks, "history_notifications": total_notes}


def _copy_tasks(conn, Task, rows) -> int:
    return _copy_rows(conn, Task.__table__, [
        "school_id", "kind", "title", "assigned_role", "created_at", "due_at", "urgent", "status",
        "completed_by_id", "completed_at", "dedupe_key", "escalation_level", "updated_at", "remind_at"],
        rows)


def generate_due_items(sizes: Sizes, school_ids, rnd: random.Random) -> dict:
    """One open task per active placement, due around now: a third due soon (reminders), a third overdue
    (escalations), a third later (nothing to do yet)."""
    from app.models import Task

    rows = []
    per_school = sizes.placements // len(school_ids)
    base = now()
    for sid in school_ids:
        for i in range(per_school):
            bucket = i % 3
            due = base + (timedelta(hours=rnd.randint(2, 40)) if bucket == 0 else
                          -timedelta(hours=rnd.randint(1, 200)) if bucket == 1 else timedelta(days=rnd.randint(5, 40)))
            created = base - timedelta(days=10)
            # As ensure_task stores it: the review's reminder falls due a week before.
            remind_at = due - timedelta(days=7) if created < due - timedelta(days=7) else None
            rows.append((sid, "half_termly_review", f"Review placement {sid}-{i}", "ap_leader", created, due, False,
                         "open", None, None, f"due-{sid}-{i}", 0, created, remind_at))
    with db.engine.begin() as conn:
        n = _copy_tasks(conn, Task, rows)
    return {"open_tasks_due": n}



def _past_school_days(years: int, before_years: int = 0) -> list:
    """Weekdays of `years` years before today (or before `before_years` ago) outside August and the Christmas
    fortnight: near enough the school days for history rows (the benchmark measures that pages and sweeps do not
    read them)."""

    day = today() - timedelta(days=1 + 365 * before_years)
    days, first = [], day - timedelta(days=365 * years)
    while day >= first:
        if day.weekday() < 5 and day.month != 8 and not (day.month == 12 and day.day > 20) \
                and not (day.month == 1 and day.day < 3):
            days.append(day)
        day -= timedelta(days=1)
    return days


def generate_attendance_history(sizes: Sizes, school_ids, rnd: random.Random, log=print,
                                before_years: int = 0) -> dict:
    """Two years (times `history`) of confirmed attendance sessions for every active placement, from its weekly
    pattern: mostly attended (B), some late, some absent with a reason or none (N)."""
    from datetime import datetime

    from app.models import AttendanceSession, Placement, WeeklySession

    days = _past_school_days(2 * sizes.history, before_years)
    by_weekday: dict[int, list] = {}
    for day in days:
        by_weekday.setdefault(day.weekday(), []).append(day)
    columns = ["school_id", "placement_id", "pupil_id", "provider_id", "day", "session", "kind", "starts_at",
               "ends_at", "cutoff_at", "outcome", "minutes_late", "absence_reason", "register_code",
               "confirmed_at", "confirmed_via", "created_at", "updated_at"]
    outcomes = [("attended", None, None, "B")] * 17 + [("late", 10, None, "B"), ("absent", None, "I", "I"),
                                                      ("absent", None, None, "N")]
    total = 0
    with db.engine.connect() as conn:
        placements = conn.execute(select(Placement.id, Placement.school_id, Placement.pupil_id,
                                         Placement.provider_id)).all()
        patterns: dict[int, list] = {}
        for row in conn.execute(select(WeeklySession.placement_id, WeeklySession.weekday, WeeklySession.session,
                                       WeeklySession.starts_at, WeeklySession.ends_at)):
            patterns.setdefault(row.placement_id, []).append(row)
    by_school: dict[int, list] = {}
    for p in placements:
        by_school.setdefault(p.school_id, []).append(p)
    for n, sid in enumerate(school_ids):
        rows = []
        for p in by_school.get(sid, ()):
            for w in patterns.get(p.id, ()):
                for day in by_weekday.get(w.weekday, ()):
                    outcome, late, reason, code = rnd.choice(outcomes)
                    at = datetime.combine(day, w.starts_at, tzinfo=UTC)
                    rows.append((sid, p.id, p.pupil_id, p.provider_id, day, w.session, "provision", w.starts_at,
                                 w.ends_at, at + timedelta(minutes=30), outcome, late, reason, code,
                                 at + timedelta(minutes=20), "call", at, at))
        with db.engine.begin() as conn:
            total += _copy_rows(conn, AttendanceSession.__table__, columns, rows)
        if n % 10 == 9:
            log(f"  attendance history: {n + 1}/{len(school_ids)} schools, {total} sessions")
    return {"attendance_sessions": total}


def add_history(sizes: Sizes, times: int, seed: int = 11, log=print) -> dict:
    """Make a trust generated at `sizes.history` hold `times` as much history: the extra years go before the
    existing ones (same schools, placements and patterns). Cheaper than generating again at the larger size."""
    from app.models import School, SchoolRole
    from app.services.figure_cache import records_changed
    from tenants import system_scope

    extra = Sizes(**{**sizes.__dict__, "history": sizes.history * (times - 1)})
    if extra.history <= 0:
        return {}
    rnd = random.Random(seed)
    with system_scope("benchmark: older history for a generated trust"):
        with db.engine.connect() as conn:
            school_ids = list(conn.execute(select(School.id).order_by(School.id)).scalars())
            users = {(r.school_id, getattr(r.role, "value", r.role)): r.user_id for r in conn.execute(
                select(SchoolRole.school_id, SchoolRole.role, SchoolRole.user_id))}
        counts = generate_history(extra, school_ids, users, rnd, log, before_years=2 * sizes.history)
        counts.update(generate_attendance_history(extra, school_ids, rnd, log, before_years=2 * sizes.history))
    records_changed(school_ids)  # Core inserts: no flush saw them, so the kept figures are retired by hand
    return counts
