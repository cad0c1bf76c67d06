"""attendance day counts: the roll-up of each school's past days of attendance (issue 16's trends, issue 18)

Revision ID: 0019_attendance_day_counts
Revises: 0018_registration_verdicts
Create Date: 2026-12-05 12:30:00

A new, empty table (filled by the `attendance-roll-up` job; until it runs the figures count every day live), so
nothing is rewritten or locked for long. School-owned: behind the row-level security policy of 0009.
"""
import sqlalchemy as sa
from alembic import op

from tenants.rls import disable_statements, enable_statements

SCHOOL_OWNED_TABLES = ('attendance_day_counts',)

# revision identifiers, used by Alembic.
revision = '0019_attendance_day_counts'
down_revision = '0018_registration_verdicts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_day_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=True),
    sa.Column('register_code', sa.String(length=4), nullable=True),
    sa.Column('arranged_by', sa.String(length=20), nullable=True),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_attendance_day_counts_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_day_counts'))
    )
    with op.batch_alter_table('attendance_day_counts', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_day_counts_school_day', ['school_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_day_counts_school_id'), ['school_id'], unique=False)
    if op.get_context().dialect.name == 'postgresql':
        for table in SCHOOL_OWNED_TABLES:
            for statement in enable_statements(table):
                op.execute(statement)


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        for table in SCHOOL_OWNED_TABLES:
            for statement in disable_statements(table):
                op.execute(statement)
    with op.batch_alter_table('attendance_day_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_day_counts_school_id'))
        batch_op.drop_index('ix_attendance_day_counts_school_day')
    op.drop_table('attendance_day_counts')
