"""API token digests unique within their tenant (keys lead with tenant_id, ready for Citus)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 01:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint("uq_api_tokens_token_hash", type_="unique")
        batch_op.create_unique_constraint("uq_api_tokens_tenant_id_token_hash", ["tenant_id", "token_hash"])
        batch_op.create_index("ix_api_tokens_token_hash", ["token_hash"], unique=False)


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_token_hash")
        batch_op.drop_constraint("uq_api_tokens_tenant_id_token_hash", type_="unique")
        batch_op.create_unique_constraint("uq_api_tokens_token_hash", ["token_hash"])
