"""What a migration's SQL would do to a large table in production: statements that rewrite it or hold a lock
that stops the trust's writes while they scan it. The rules are PostgreSQL's (docs/migrations.md gives the
lock each kind of change takes and the expand-then-contract way round each)."""
from __future__ import annotations

import re

# Tables that grow with every school day (or every change): a rewrite or a long lock on them stops the trust.
LARGE_TABLES = frozenset({
    "attendance_sessions", "audit_events", "notifications", "tasks", "welfare_checks", "placement_reviews",
    "qa_activities", "follow_up_actions", "pupils", "placements", "weekly_sessions",
})

_VOLATILE_DEFAULT = re.compile(r"\bDEFAULT\s+\(?\s*(now|clock_timestamp|random|gen_random_uuid|uuid_generate)",
                               re.I)
_RULES = [
    (re.compile(r"\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", re.I),
     "changes a column's type: rewrites the table under ACCESS EXCLUSIVE (add a new column and backfill instead)"),
    (re.compile(r"\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b", re.I),
     "SET NOT NULL scans the table under ACCESS EXCLUSIVE (add a CHECK ... NOT VALID, VALIDATE it, then set)"),
    (re.compile(r"\bADD\s+(CONSTRAINT\s+\S+\s+)?(FOREIGN\s+KEY|CHECK)\b(?![^;]*\bNOT\s+VALID\b)", re.I),
     "a constraint without NOT VALID scans the table while holding writes (add NOT VALID, then VALIDATE)"),
    (re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?!CONCURRENTLY)", re.I),
     "CREATE INDEX without CONCURRENTLY blocks writes for the whole build (SHARE lock)"),
    (re.compile(r"^\s*(VACUUM\s+FULL|CLUSTER)\b", re.I), "rewrites the table under ACCESS EXCLUSIVE"),
    (re.compile(r"^\s*LOCK\s+TABLE\b", re.I), "takes an explicit table lock"),
    (re.compile(r"^\s*DROP\s+TABLE\b", re.I), "drops a large table: contract only after the code stopped using it"),
]

_TARGET = re.compile(r'^\s*(?:ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?\S*\s+ON|'
                     r'VACUUM\s+FULL|CLUSTER|LOCK\s+TABLE|DROP\s+TABLE)\s+(?:ONLY\s+|IF\s+EXISTS\s+)?"?(\w+)"?',
                     re.I)


# Shipped before this check existed, and never edited afterwards (migrations are not): (revision, statement
# start). 0004 builds two indexes without CONCURRENTLY, holding writes to notifications and welfare_checks for
# the build; 0006 adds a foreign key on attendance_sessions without NOT VALID, which scans the table under a
# lock that holds writes. On a large trust run them in a quiet hour. A new entry needs the same kind of reason.
ACCEPTED = {
    ("0004_exactly_once", "CREATE INDEX ix_notifications_reclaimed_at"),
    ("0004_exactly_once", "CREATE UNIQUE INDEX uq_welfare_checks_open_session"),
    ("0006_flexi_schooling", "ALTER TABLE attendance_sessions ADD CONSTRAINT fk_attendance_sessions_flexi_agreement"),
    # 0005 (part-time timetables), written alongside this check: its foreign keys on attendance_sessions and
    # welfare_checks scan those tables under a lock that holds writes, as 0006's does. A quiet hour on a large trust.
    ("0005_part_time_timetables", "ALTER TABLE attendance_sessions ADD CONSTRAINT fk_attendance_sessions_part_time"),
    ("0005_part_time_timetables", "ALTER TABLE welfare_checks ADD CONSTRAINT fk_welfare_checks_part_time"),
    ("0005_part_time_timetables", "ALTER TABLE involvements ADD CONSTRAINT fk_involvements_part_time"),
}


def accepted(revision: str, statement: str) -> bool:
    return any(revision == r and statement.lstrip().startswith(start) for r, start in ACCEPTED)


def target_table(statement: str) -> str | None:
    match = _TARGET.match(statement)
    return match.group(1) if match else None


def lock_problems(statement: str, existing_tables: set[str]) -> list[str]:
    """Why `statement` would stop a large table that already exists; [] if it would not."""
    table = target_table(statement)
    if table is None or table not in LARGE_TABLES or table not in existing_tables:
        return []
    problems = [f"{table}: {why}" for rule, why in _RULES if rule.search(statement)]
    if re.search(r"\bADD\s+COLUMN\b", statement, re.I) and _VOLATILE_DEFAULT.search(statement):
        problems.append(f"{table}: a column with a volatile default rewrites the table (add it without, backfill)")
    return problems
