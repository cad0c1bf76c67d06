"""The rules that keep a migration from stopping the trust, on their own (tests/ops/test_migrations_postgres.py
applies them to every migration's SQL on PostgreSQL)."""
import pytest

from tests.ops.migration_locks import lock_problems

EXISTING = {"attendance_sessions", "notifications", "schools"}


@pytest.mark.parametrize("statement, why", [
    ("ALTER TABLE attendance_sessions ALTER COLUMN note TYPE TEXT", "type"),
    ("ALTER TABLE attendance_sessions ALTER COLUMN note SET NOT NULL", "SET NOT NULL"),
    ("ALTER TABLE notifications ADD CONSTRAINT fk_x FOREIGN KEY(user_id) REFERENCES users (id)", "NOT VALID"),
    ("ALTER TABLE notifications ADD CONSTRAINT ck_x CHECK (attempts >= 0)", "NOT VALID"),
    ("CREATE INDEX ix_a ON attendance_sessions (day)", "CONCURRENTLY"),
    ("CREATE UNIQUE INDEX ix_b ON notifications (dedupe_key)", "CONCURRENTLY"),
    ("ALTER TABLE notifications ADD COLUMN seen_at TIMESTAMP DEFAULT now()", "volatile"),
    ("VACUUM FULL attendance_sessions", "rewrites"),
    ("LOCK TABLE notifications IN ACCESS EXCLUSIVE MODE", "explicit"),
    ('DROP TABLE "attendance_sessions"', "contract"),
])
def test_a_statement_that_stops_a_large_table_is_named(statement, why):
    problems = lock_problems(statement, EXISTING)
    assert len(problems) == 1 and why in problems[0]


@pytest.mark.parametrize("statement", [
    "ALTER TABLE attendance_sessions ADD COLUMN note_by INTEGER",  # catalogue only
    "ALTER TABLE notifications ADD COLUMN possibly_duplicated BOOLEAN DEFAULT false NOT NULL",  # PG 11+: no rewrite
    "ALTER TABLE notifications ADD CONSTRAINT fk_y FOREIGN KEY(user_id) REFERENCES users (id) NOT VALID",
    "ALTER TABLE notifications VALIDATE CONSTRAINT fk_y",  # SHARE UPDATE EXCLUSIVE: writes go on
    "CREATE INDEX CONCURRENTLY ix_c ON attendance_sessions (day)",
    'ALTER TABLE "attendance_sessions" ENABLE ROW LEVEL SECURITY',
    "ALTER TABLE schools ALTER COLUMN name TYPE VARCHAR(300)",  # not a large table
    "CREATE INDEX ix_d ON placement_reviews (due)",  # a large table, but made in this same migration
])
def test_what_leaves_a_large_table_alone_passes(statement):
    assert lock_problems(statement, EXISTING) == []
