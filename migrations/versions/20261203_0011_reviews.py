"""reviews: quarterly joint performance reviews and their action items

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 00:51:32

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ['reviews', 'review_action_items']


def upgrade():
    op.create_table('reviews',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('agenda', sa.Text(), nullable=False),
    sa.Column('vendor_notes', sa.Text(), nullable=False),
    sa.Column('partner_notes', sa.Text(), nullable=False),
    sa.Column('settlements', sa.JSON(), nullable=False),
    sa.Column('opened_by_id', sa.Uuid(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('vendor_signed_by_id', sa.Uuid(), nullable=True),
    sa.Column('vendor_signed_by', sa.String(length=254), nullable=False),
    sa.Column('vendor_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('partner_signed_by_id', sa.Uuid(), nullable=True),
    sa.Column('partner_signed_by', sa.String(length=254), nullable=False),
    sa.Column('partner_signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('snapshot', sa.Text(), nullable=True),
    sa.Column('snapshot_hash', sa.String(length=64), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'opened_by_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_reviews_tenant_id_opened_by_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_reviews_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_signed_by_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_reviews_tenant_id_partner_signed_by_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id', 'vendor_signed_by_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_reviews_tenant_id_vendor_signed_by_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_reviews_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('tenant_id', 'partner_id', 'period', name=op.f('uq_reviews_tenant_id_partner_id_period'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_tenant_period', ['tenant_id', 'period'], unique=False)

    op.create_table('review_action_items',
    sa.Column('review_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_side', sa.String(length=8), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('metric_key', sa.String(length=64), nullable=True),
    sa.Column('carried_from_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'owner_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_review_action_items_tenant_id_owner_id_memberships')),
    sa.ForeignKeyConstraint(['tenant_id', 'review_id'], ['reviews.tenant_id', 'reviews.id'], name=op.f('fk_review_action_items_tenant_id_review_id_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_action_items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_review_action_items'))
    )
    with op.batch_alter_table('review_action_items', schema=None) as batch_op:
        batch_op.create_index('ix_review_action_items_tenant_owner_status', ['tenant_id', 'owner_id', 'status'], unique=False)
        batch_op.create_index('ix_review_action_items_tenant_review', ['tenant_id', 'review_id'], unique=False)
    # Forced row-level security on every new tenant table (PostgreSQL; a no-op on SQLite).
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('review_action_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_action_items_tenant_review')
        batch_op.drop_index('ix_review_action_items_tenant_owner_status')

    op.drop_table('review_action_items')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_tenant_period')

    op.drop_table('reviews')
