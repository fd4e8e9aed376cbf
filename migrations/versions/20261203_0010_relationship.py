"""relationship: communication plans, enhancement requests, term-change requests

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-03 08:07:00

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ['comm_contacts', 'comm_meetings', 'comm_plans', 'enhancement_requests', 'term_changes', 'enhancement_accounts', 'enhancement_events', 'enhancement_supports', 'enhancement_use_cases']


def upgrade():
    op.create_table('comm_contacts',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_comm_contacts_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_comm_contacts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_comm_contacts'))
    )
    with op.batch_alter_table('comm_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_comm_contacts_tenant_partner', ['tenant_id', 'partner_id'], unique=False)

    op.create_table('comm_meetings',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('cadence', sa.String(length=16), nullable=False),
    sa.Column('next_date', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_comm_meetings_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_comm_meetings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_comm_meetings'))
    )
    with op.batch_alter_table('comm_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_comm_meetings_tenant_partner', ['tenant_id', 'partner_id'], unique=False)

    op.create_table('comm_plans',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_comm_plans_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_comm_plans_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_comm_plans')),
    sa.UniqueConstraint('tenant_id', 'partner_id', name=op.f('uq_comm_plans_tenant_id_partner_id'))
    )
    op.create_table('enhancement_requests',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('filed_by_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('target_quarter', sa.String(length=7), nullable=True),
    sa.Column('release_note', sa.Text(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'filed_by_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_enhancement_requests_tenant_id_filed_by_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_enhancement_requests_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enhancement_requests_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_enhancement_requests'))
    )
    with op.batch_alter_table('enhancement_requests', schema=None) as batch_op:
        batch_op.create_index('ix_enhancement_requests_tenant_status', ['tenant_id', 'status'], unique=False)

    op.create_table('term_changes',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by', sa.String(length=8), nullable=False),
    sa.Column('proposed_by_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('counter_of_id', sa.Uuid(), nullable=True),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('applied_object_id', sa.String(length=36), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_term_changes_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'proposed_by_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_term_changes_tenant_id_proposed_by_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_term_changes_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_term_changes'))
    )
    with op.batch_alter_table('term_changes', schema=None) as batch_op:
        batch_op.create_index('ix_term_changes_tenant_partner_status', ['tenant_id', 'partner_id', 'status'], unique=False)

    op.create_table('enhancement_accounts',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['accounts.tenant_id', 'accounts.id'], name=op.f('fk_enhancement_accounts_tenant_id_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_enhancement_accounts_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['enhancement_requests.tenant_id', 'enhancement_requests.id'], name=op.f('fk_enhancement_accounts_tenant_id_request_id_enhancement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enhancement_accounts_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_enhancement_accounts')),
    sa.UniqueConstraint('tenant_id', 'request_id', 'account_id', name=op.f('uq_enhancement_accounts_tenant_id_request_id_account_id'))
    )
    op.create_table('enhancement_events',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_side', sa.String(length=8), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['enhancement_requests.tenant_id', 'enhancement_requests.id'], name=op.f('fk_enhancement_events_tenant_id_request_id_enhancement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enhancement_events_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_enhancement_events'))
    )
    with op.batch_alter_table('enhancement_events', schema=None) as batch_op:
        batch_op.create_index('ix_enhancement_events_tenant_request', ['tenant_id', 'request_id'], unique=False)

    op.create_table('enhancement_supports',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('membership_id', sa.Uuid(), nullable=False),
    sa.Column('is_requester', sa.Boolean(), nullable=False),
    sa.Column('affected_count', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'membership_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_enhancement_supports_tenant_id_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_enhancement_supports_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['enhancement_requests.tenant_id', 'enhancement_requests.id'], name=op.f('fk_enhancement_supports_tenant_id_request_id_enhancement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enhancement_supports_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_enhancement_supports')),
    sa.UniqueConstraint('tenant_id', 'request_id', 'partner_id', name=op.f('uq_enhancement_supports_tenant_id_request_id_partner_id'))
    )
    with op.batch_alter_table('enhancement_supports', schema=None) as batch_op:
        batch_op.create_index('ix_enhancement_supports_tenant_partner', ['tenant_id', 'partner_id'], unique=False)

    op.create_table('enhancement_use_cases',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('author_side', sa.String(length=8), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('author_partner_id', sa.Uuid(), nullable=True),
    sa.Column('given', sa.Text(), nullable=False),
    sa.Column('when', sa.Text(), nullable=False),
    sa.Column('then', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['enhancement_requests.tenant_id', 'enhancement_requests.id'], name=op.f('fk_enhancement_use_cases_tenant_id_request_id_enhancement_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_enhancement_use_cases_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_enhancement_use_cases'))
    )
    with op.batch_alter_table('enhancement_use_cases', schema=None) as batch_op:
        batch_op.create_index('ix_enhancement_use_cases_tenant_request', ['tenant_id', 'request_id'], unique=False)
    # Forced row-level security on every new tenant table (PostgreSQL; a no-op on SQLite).
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('enhancement_use_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_enhancement_use_cases_tenant_request')

    op.drop_table('enhancement_use_cases')
    with op.batch_alter_table('enhancement_supports', schema=None) as batch_op:
        batch_op.drop_index('ix_enhancement_supports_tenant_partner')

    op.drop_table('enhancement_supports')
    with op.batch_alter_table('enhancement_events', schema=None) as batch_op:
        batch_op.drop_index('ix_enhancement_events_tenant_request')

    op.drop_table('enhancement_events')
    op.drop_table('enhancement_accounts')
    with op.batch_alter_table('term_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_term_changes_tenant_partner_status')

    op.drop_table('term_changes')
    with op.batch_alter_table('enhancement_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_enhancement_requests_tenant_status')

    op.drop_table('enhancement_requests')
    op.drop_table('comm_plans')
    with op.batch_alter_table('comm_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_comm_meetings_tenant_partner')

    op.drop_table('comm_meetings')
    with op.batch_alter_table('comm_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_comm_contacts_tenant_partner')

    op.drop_table('comm_contacts')
