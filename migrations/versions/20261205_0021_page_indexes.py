"""page indexes: the health dashboard's waiting proposals and the partner page's recent activity read through indexes

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
# The partner page shows the partner's last ten audit events: without an index on the object it walked
# the tenant's whole chain backwards (every event ever recorded) to find them.
# Both tables already have forced row-level security (0005); an index needs no policy.


def upgrade():
    op.create_index('ix_health_agreements_tenant_waiting', 'health_agreements',
                    ['tenant_id', 'status', 'proposed_by', 'proposed_at'])
    op.create_index('ix_audit_events_tenant_object', 'audit_events', ['tenant_id', 'object_id', 'seq'])


def downgrade():
    op.drop_index('ix_audit_events_tenant_object', table_name='audit_events')
    op.drop_index('ix_health_agreements_tenant_waiting', table_name='health_agreements')
