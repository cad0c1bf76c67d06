"""school census AP placements: provider UKPRN and AP setting type, a placement's census reason

Revision ID: 0015_census
Revises: 0014_corrections
Create Date: 2026-12-05 09:10:00

No new table: columns on providers (trust-owned register) and placements (already behind row-level security).
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_census'
down_revision = '0014_corrections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ukprn', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('ap_setting_type', sa.String(length=3), nullable=True))
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('census_reason', sa.String(length=3), nullable=True))


def downgrade():
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_column('census_reason')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_column('ap_setting_type')
        batch_op.drop_column('ukprn')
