"""opportunities: opportunities on shared accounts and deal registrations

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 01:21:07

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ['opportunities', 'deal_registrations']


def upgrade():
    op.create_table('opportunities',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=True),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('product', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=15, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=False),
    sa.Column('close_quarter', sa.String(length=7), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('stage_outcome', sa.String(length=8), nullable=False),
    sa.Column('next_step', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['accounts.tenant_id', 'accounts.id'], name=op.f('fk_opportunities_tenant_id_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_opportunities_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_opportunities_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_opportunities'))
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index('ix_opportunities_tenant_account', ['tenant_id', 'account_id'], unique=False)
        batch_op.create_index('ix_opportunities_tenant_partner_stage', ['tenant_id', 'partner_id', 'stage'], unique=False)

    op.create_table('deal_registrations',
    sa.Column('opportunity_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('check_outcome', sa.String(length=12), nullable=False),
    sa.Column('check', sa.JSON(), nullable=False),
    sa.Column('submitted_by_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision_due', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('protected_until', sa.Date(), nullable=True),
    sa.Column('extended', sa.Boolean(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'account_id'], ['accounts.tenant_id', 'accounts.id'], name=op.f('fk_deal_registrations_tenant_id_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'opportunity_id'], ['opportunities.tenant_id', 'opportunities.id'], name=op.f('fk_deal_registrations_tenant_id_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_deal_registrations_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_deal_registrations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_deal_registrations')),
    sa.UniqueConstraint('tenant_id', 'opportunity_id', name=op.f('uq_deal_registrations_tenant_id_opportunity_id'))
    )
    with op.batch_alter_table('deal_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_deal_registrations_tenant_domain', ['tenant_id', 'domain'], unique=False)
        batch_op.create_index('ix_deal_registrations_tenant_partner_status', ['tenant_id', 'partner_id', 'status'], unique=False)

    # Forced row-level security on every new tenant table (PostgreSQL; a no-op on SQLite).
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('deal_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_registrations_tenant_partner_status')
        batch_op.drop_index('ix_deal_registrations_tenant_domain')

    op.drop_table('deal_registrations')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_tenant_partner_stage')
        batch_op.drop_index('ix_opportunities_tenant_account')

    op.drop_table('opportunities')
