"""waiting proposals index: the health dashboard's "proposals waiting for you" read through an index

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-05 00:21:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None


# The dashboard asks for the proposals of one side, oldest first: without this index it read every
# agreement of the tenant (eight quarters per partner) to find the few still proposed.
# health_agreements already has forced row-level security (0005); an index needs no policy.


def upgrade():
    op.create_index('ix_health_agreements_tenant_waiting', 'health_agreements',
                    ['tenant_id', 'status', 'proposed_by', 'proposed_at'])


def downgrade():
    op.drop_index('ix_health_agreements_tenant_waiting', table_name='health_agreements')
