"""Tests of running AP Hub as production runs it.

The PostgreSQL-only tests (row-level security, restoring a dump, each migration down and up again, the
production process set) are collected only in the PostgreSQL run (TEST_POSTGRES_URL set, as the second pass
of .ci/run does), not skipped in the SQLite run: SQLite has no row-level security, no pg_dump, and production
refuses it, so there is nothing there for them to prove."""
import os

POSTGRES_ONLY = ["test_rls.py", "test_postgres_settings.py", "test_restore.py", "test_migrations_postgres.py", "test_procfile_smoke.py",
                 "test_scale_out.py", "test_school_morning.py"]

collect_ignore = [] if os.environ.get("TEST_POSTGRES_URL") else POSTGRES_ONLY
