"""archive reasons on the records a person adds (issue 14 item 8); background jobs (item 7)

Revision ID: 0014_corrections
Revises: 0012_passkeys
Create Date: 2026-12-05 09:25:00

"""
import sqlalchemy as sa
from alembic import op

from tenants.rls import disable_statements, enable_statements

# School-owned tables made here: behind the row-level security policy of 0009 on PostgreSQL.
SCHOOL_OWNED_TABLES = ('background_jobs',)

# The records a person adds and may correct or archive with a reason (issue 14 item 8).
ARCHIVE_REASON_TABLES = ('carers', 'referrals', 'pupil_risk_assessments', 'parent_consultations', 'involvements',
                         'placement_reviews', 'qa_activities', 'pupil_progress_entries')

# revision identifiers, used by Alembic.
revision = '0014_corrections'
down_revision = '0012_passkeys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('input_ref', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_background_jobs_school_id_schools')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_background_jobs_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_background_jobs_school_started', ['school_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_background_jobs_school_id'), ['school_id'], unique=False)
    if op.get_context().dialect.name == 'postgresql':
        for table in SCHOOL_OWNED_TABLES:
            for statement in enable_statements(table):
                op.execute(statement)
    for table in ARCHIVE_REASON_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('archive_reason', sa.String(length=500), nullable=True))


def downgrade():
    if op.get_context().dialect.name == 'postgresql':
        for table in SCHOOL_OWNED_TABLES:
            for statement in disable_statements(table):
                op.execute(statement)
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_jobs_school_id'))
        batch_op.drop_index('ix_background_jobs_school_started')
    op.drop_table('background_jobs')
    for table in reversed(ARCHIVE_REASON_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('archive_reason')
