"""in-portal notifications

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                                name=op.f("fk_notifications_tenant_id_membership_id_memberships"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notifications")),
    )
    op.create_index("ix_notifications_tenant_membership_read", "notifications",
                    ["tenant_id", "membership_id", "read_at"], unique=False)
    rls.enable_tenant_rls(op, "notifications")


def downgrade():
    rls.disable_tenant_rls(op, "notifications")
    op.drop_index("ix_notifications_tenant_membership_read", table_name="notifications")
    op.drop_table("notifications")
