"""api contract: stored answers for Idempotency-Key, the shared rate-limit counters

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 01:40:00

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TABLES = ['idempotency_keys']


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('token_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'token_id'], ['api_tokens.tenant_id', 'api_tokens.id'], name=op.f('fk_idempotency_keys_tenant_id_token_id_api_tokens'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_idempotency_keys_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('tenant_id', 'token_id', 'key', name=op.f('uq_idempotency_keys_tenant_id_token_id_key'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_keys_tenant_expires', ['tenant_id', 'expires_at'], unique=False)
    # Global (no tenant_id): limiter keys name tokens by digest, or addresses; see app/api/ratestore.py.
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counters_expires_at'), ['expires_at'], unique=False)
    rls.grant_app_role(op, tables=['rate_limit_counters'])
    # Forced row-level security on every new tenant table (PostgreSQL; a no-op on SQLite).
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counters_expires_at'))
    op.drop_table('rate_limit_counters')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_keys_tenant_expires')
    op.drop_table('idempotency_keys')
