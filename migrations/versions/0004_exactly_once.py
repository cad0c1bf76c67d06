"""exactly once: one open welfare check per attendance session; outbox rows put back after a stopped worker

Revision ID: 0004_exactly_once
Revises: 0003_attendance_and_monitoring
Create Date: 2026-12-05 05:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_exactly_once'
down_revision = '0003_attendance_and_monitoring'
branch_labels = None
depends_on = None

_OPEN = "recorded_at IS NULL AND archived_at IS NULL"


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reclaimed_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_notifications_reclaimed_at', ['reclaimed_at'], unique=False)

    # Overlapping sweeps may already have made two open checks for one session: keep the first open, archive
    # the rest (kept, not deleted), so the unique index can be built.
    op.execute(sa.text(
        "UPDATE welfare_checks SET archived_at = CURRENT_TIMESTAMP "
        f"WHERE {_OPEN} AND attendance_session_id IS NOT NULL AND id > ("
        "SELECT MIN(w.id) FROM welfare_checks w WHERE w.attendance_session_id = welfare_checks.attendance_session_id "
        "AND w.recorded_at IS NULL AND w.archived_at IS NULL)"))
    with op.batch_alter_table('welfare_checks', schema=None) as batch_op:
        batch_op.create_index('uq_welfare_checks_open_session', ['attendance_session_id'], unique=True,
                              sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade():
    with op.batch_alter_table('welfare_checks', schema=None) as batch_op:
        batch_op.drop_index('uq_welfare_checks_open_session')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_reclaimed_at')
        batch_op.drop_column('reclaimed_at')
