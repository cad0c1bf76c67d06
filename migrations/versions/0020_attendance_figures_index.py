"""the attendance window index also carries the placement (issue 18)

Revision ID: 0020_attendance_figures_index
Revises: 0019_attendance_day_counts
Create Date: 2026-12-05 15:00:00

A period's cost counts each placement's sessions in the period (7.11), and the figures' live attendance joins
each session to its placement. ix_attendance_sessions_window (0017) covered school, day, pupil, kind and code
but not the placement, so PostgreSQL fetched every session of the period from the table: on the generated trust
the trust report's one statement took 350-550 ms. ix_attendance_sessions_figures is the same index with the
placement last, read alone: 140-230 ms. Built CONCURRENTLY before the old one is dropped, so reads are never
without an index and writes go on meanwhile (docs/migrations.md).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_attendance_figures_index'
down_revision = '0019_attendance_day_counts'
branch_labels = None
depends_on = None

COLUMNS = ['school_id', 'day', 'pupil_id', 'kind', 'register_code']


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_attendance_sessions_figures', 'attendance_sessions', [*COLUMNS, 'placement_id'],
                        unique=False, postgresql_concurrently=True, if_not_exists=True)
        op.drop_index('ix_attendance_sessions_window', table_name='attendance_sessions',
                      postgresql_concurrently=True, if_exists=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_attendance_sessions_window', 'attendance_sessions', COLUMNS, unique=False,
                        postgresql_concurrently=True, if_not_exists=True)
        op.drop_index('ix_attendance_sessions_figures', table_name='attendance_sessions',
                      postgresql_concurrently=True, if_exists=True)
