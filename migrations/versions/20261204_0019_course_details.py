"""course details: a description and an optimistic version, so vendor admins can edit and retire courses

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


# Plain ALTER TABLE (SQLite 3.35+ drops columns in place): batch mode would copy and drop `courses`,
# and with foreign keys on, dropping it cascades to every completion.
# courses already has forced row-level security (0016); new columns are covered by it.


def upgrade():
    op.add_column('courses', sa.Column('description', sa.Text(), nullable=False, server_default=''))
    op.add_column('courses', sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    op.drop_column('courses', 'version')
    op.drop_column('courses', 'description')
