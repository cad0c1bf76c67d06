"""registration verdicts: each unregistered provider's policy 7.2 counts stored on its row

Revision ID: 0018_registration_verdicts
Revises: 0017_performance
Create Date: 2026-12-05 12:30:00

Issue 18 item 2: the register recounted the 7.2 verdict (must the provider be registered as an independent
school?) from every school's placements and weekly sessions on each view. The two counts the rule judges and the
day they were counted are now stored on the provider and kept current by app.services.registration_verdicts.

Three nullable columns on `providers`, no default: an instant under ACCESS EXCLUSIVE, no rewrite (the register
is small and shared, not school-owned: no row-level security to add). The backfill counts every unregistered
provider once, in the system scope (row-level security hides the schools' placements otherwise), with the same
fact gathering and rule as the app; a verdict left empty or dated before today is counted by the reader and by
the morning sweep, so the backfill only saves the first views their count.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_registration_verdicts'
down_revision = '0017_performance'
branch_labels = None
depends_on = None

COLUMNS = (
    ('registration_full_time_count', sa.Integer()),
    ('registration_one_pupil_count', sa.Integer()),
    ('registration_counted_on', sa.Date()),
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("SET LOCAL lock_timeout = '5s'")
    for name, type_ in COLUMNS:
        op.add_column('providers', sa.Column(name, type_, nullable=True))
    _backfill(bind)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SET LOCAL lock_timeout = '5s'")
    # Not in batch mode: SQLite (3.35+) drops a plain column in place, where a batch would copy the providers
    # table and drop it, which the placements' foreign keys refuse once there are placements.
    for name, _type in reversed(COLUMNS):
        op.drop_column('providers', name)


def _backfill(bind) -> None:
    # deferred: the app's clock and the rule's fact gathering, read once here at upgrade time
    from app import clock
    from app.services.registration import assessments_of, pupils_from_rows

    if bind.dialect.name == 'postgresql':
        op.execute("SELECT set_config('app.tenant_scope', 'system', true)")
    providers = sa.table('providers', sa.column('id'), sa.column('registration_status'), sa.column('archived_at'),
                         *(sa.column(name) for name, _type in COLUMNS))
    placements = sa.table('placements', sa.column('id'), sa.column('provider_id'), sa.column('pupil_id'),
                          sa.column('status'), sa.column('start_date', sa.Date()), sa.column('archived_at'))
    pupils = sa.table('pupils', sa.column('id'), sa.column('date_of_birth', sa.Date()),
                      sa.column('has_ehcp', sa.Boolean()), sa.column('is_looked_after', sa.Boolean()),
                      sa.column('sen_support', sa.Boolean()))
    sessions = sa.table('weekly_sessions', sa.column('placement_id'), sa.column('starts_at', sa.Time()),
                        sa.column('ends_at', sa.Time()))
    unregistered = list(bind.scalars(sa.select(providers.c.id).where(
        providers.c.registration_status == 'unregistered')))
    if not unregistered:
        return
    rows = bind.execute(
        sa.select(placements.c.provider_id, placements.c.start_date, pupils.c.id,
                  pupils.c.date_of_birth, pupils.c.has_ehcp, pupils.c.is_looked_after,
                  pupils.c.sen_support, sessions.c.starts_at, sessions.c.ends_at)
        .join(pupils, pupils.c.id == placements.c.pupil_id)
        .join(providers, providers.c.id == placements.c.provider_id)
        .outerjoin(sessions, sessions.c.placement_id == placements.c.id)
        .where(providers.c.registration_status == 'unregistered', providers.c.archived_at.is_(None),
               placements.c.status.in_(('planned', 'active')), placements.c.archived_at.is_(None)))
    today = clock.today()
    for provider_id, verdict in assessments_of(pupils_from_rows(rows, today), unregistered).items():
        bind.execute(providers.update().where(providers.c.id == provider_id).values(
            registration_full_time_count=verdict.full_time_count,
            registration_one_pupil_count=verdict.one_pupil_count, registration_counted_on=today))
