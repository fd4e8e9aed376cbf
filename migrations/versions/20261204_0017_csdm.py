"""csdm: CS Development Managers' regions and onboarding checklists

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-04 04:10:00

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ['csdm_regions', 'onboarding_template_items', 'onboarding_items']


def upgrade():
    op.create_table('csdm_regions',
    sa.Column('membership_id', sa.Uuid(), nullable=False),
    sa.Column('region', sa.String(length=16), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'membership_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_csdm_regions_tenant_id_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_csdm_regions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_csdm_regions')),
    sa.UniqueConstraint('tenant_id', 'membership_id', 'region', name=op.f('uq_csdm_regions_tenant_id_membership_id_region'))
    )
    op.create_table('onboarding_template_items',
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detector', sa.String(length=24), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_onboarding_template_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_onboarding_template_items')),
    sa.UniqueConstraint('tenant_id', 'key', name=op.f('uq_onboarding_template_items_tenant_id_key'))
    )
    op.create_table('onboarding_items',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=48), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detector', sa.String(length=24), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_onboarding_items_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_onboarding_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_onboarding_items')),
    sa.UniqueConstraint('tenant_id', 'partner_id', 'key', name=op.f('uq_onboarding_items_tenant_id_partner_id_key'))
    )
    with op.batch_alter_table('onboarding_items', schema=None) as batch_op:
        batch_op.create_index('ix_onboarding_items_tenant_partner', ['tenant_id', 'partner_id'], unique=False)

    # Forced row-level security on every new tenant table (PostgreSQL; a no-op on SQLite).
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('onboarding_items', schema=None) as batch_op:
        batch_op.drop_index('ix_onboarding_items_tenant_partner')
    op.drop_table('onboarding_items')
    op.drop_table('onboarding_template_items')
    op.drop_table('csdm_regions')
