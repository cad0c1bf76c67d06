"""PostgreSQL row-level security on every school-owned table: the second tenancy wall (issue 20 item 3).

ENABLE + FORCE ROW LEVEL SECURITY and the policy `aphub_tenant`: a row is seen or written when its school is
the transaction's `app.current_school`, or the transaction declares `app.tenant_scope` trust or system
(tenants/rls.py sets both from the tenant scope). Written out here, not imported, so it never changes.
Only catalogue changes: no table is rewritten, each ALTER takes a brief ACCESS EXCLUSIVE lock on an
unchanged table. A no-op on SQLite, which has no row-level security (the ORM wall stands alone there).

A later migration that adds a school-owned table enables the same policy on it
(`tenants.rls.enable_statements`); tests/ops/test_rls.py fails until it does.

Revision ID: 0009_row_level_security
Revises: 0005_part_time_timetables
"""
from alembic import op

revision = '0009_row_level_security'
down_revision = '0005_part_time_timetables'
branch_labels = None
depends_on = None

# The school-owned tables (TenantScopedMixin) at this revision. Named here, not read from the models, so this
# migration does the same thing whatever the models become.
SCHOOL_OWNED_TABLES = (
    "attendance_sessions", "belonging_actions", "carers", "event_risk_assessments", "flexi_agreements",
    "flexi_requests", "flexi_reviews", "follow_up_actions",
    "half_terms", "involvements", "notifications", "off_site_directions", "parent_consultations",
    "placement_agreements", "placement_reviews", "placements", "provider_attendance_links",
    "pupil_progress_entries", "pupil_risk_assessments", "pupils", "qa_activities", "referrals", "tasks",
    "training_days", "weekly_sessions", "welfare_checks",
    # issue 16 (0008), issue 15 section 9 (0005): merged before this migration
    "complaint_steps", "complaints", "governors_notes", "headteacher_reports", "part_time_timetable_reviews",
    "part_time_timetable_sessions", "part_time_timetables", "policy_monitoring",
)

CONDITION = ("current_setting('app.tenant_scope', true) IN ('trust', 'system') "
             "OR school_id = NULLIF(current_setting('app.current_school', true), '')::int")


def upgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    for table in SCHOOL_OWNED_TABLES:
        op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY aphub_tenant ON "{table}" USING ({CONDITION}) WITH CHECK ({CONDITION})')


def downgrade():
    if op.get_context().dialect.name != "postgresql":
        return
    for table in SCHOOL_OWNED_TABLES:
        op.execute(f'DROP POLICY IF EXISTS aphub_tenant ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
