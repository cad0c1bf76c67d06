"""archive reasons on the records a person adds (issue 14 item 8)

Revision ID: 0014_corrections
Revises: 0011_data_protection
Create Date: 2026-12-05 09:25:00

"""
import sqlalchemy as sa
from alembic import op

# The records a person adds and may correct or archive with a reason (issue 14 item 8).
ARCHIVE_REASON_TABLES = ('carers', 'referrals', 'pupil_risk_assessments', 'parent_consultations', 'involvements',
                         'placement_reviews', 'qa_activities', 'pupil_progress_entries')

# revision identifiers, used by Alembic.
revision = '0014_corrections'
down_revision = '0011_data_protection'
branch_labels = None
depends_on = None


def upgrade():
    for table in ARCHIVE_REASON_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('archive_reason', sa.String(length=500), nullable=True))


def downgrade():
    for table in reversed(ARCHIVE_REASON_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('archive_reason')
