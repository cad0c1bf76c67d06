"""performance: notifications found by what they are about; the attendance window covered; tasks by kind

Revision ID: 0017_performance
Revises: 0016_webhooks
Create Date: 2026-12-05 09:00:00

Issue 18: a placement's 7.12 notices were found by `dedupe_key LIKE 'placement-commissioned:<id>:%'`, which
cannot use the key's btree under the cluster's collation (every notification of the school was read: 48,069
rows at 10x history). They are now found by what they are about, through this index. No new table, so no
row-level security to add.

The attendance picture counts a half-term's sessions per pupil by register code: ix_attendance_sessions_window
covers that window (school, day, then pupil, kind and code) so PostgreSQL reads it from the index alone.
A period's figures count the tasks of one kind due in it: ix_tasks_kind_due (school, kind, due) finds them
without reading every task due in the window.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_performance'
down_revision = '0016_webhooks'
branch_labels = None
depends_on = None


INDEXES = (
    ('ix_notifications_about', 'notifications', ['about_type', 'about_id']),
    ('ix_attendance_sessions_window', 'attendance_sessions', ['school_id', 'day', 'pupil_id', 'kind', 'register_code']),
    ('ix_tasks_kind_due', 'tasks', ['school_id', 'kind', 'due_at']),
)


def upgrade():
    # Large, busy tables: built CONCURRENTLY on PostgreSQL, outside a transaction, so writes go on meanwhile
    # (docs/migrations.md). SQLite has no such option and no concurrent writers to block.
    with op.get_context().autocommit_block():
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns, unique=False, postgresql_concurrently=True, if_not_exists=True)


def downgrade():
    with op.get_context().autocommit_block():
        for name, table, _columns in reversed(INDEXES):
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
