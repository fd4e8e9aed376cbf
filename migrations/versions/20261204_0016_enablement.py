"""enablement: touch plans, touchpoints and touches; courses and completions

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 04:04:22.940665

"""
from alembic import op
import sqlalchemy as sa

from app.security import rls


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = ['courses', 'touch_plans', 'completions', 'touchpoints', 'touches']


def upgrade():
    op.create_table('courses',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('valid_months', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_courses_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_courses')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_courses_tenant_id_name'))
    )
    op.create_table('touch_plans',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=True),
    sa.Column('touch_model', sa.String(length=16), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_touch_plans_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_touch_plans_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_touch_plans')),
    sa.UniqueConstraint('tenant_id', 'partner_id', 'period', name=op.f('uq_touch_plans_tenant_id_partner_id_period'))
    )
    op.create_table('completions',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('membership_id', sa.Uuid(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=True),
    sa.Column('expiry_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'course_id'], ['courses.tenant_id', 'courses.id'], name=op.f('fk_completions_tenant_id_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'membership_id'], ['memberships.tenant_id', 'memberships.id'], name=op.f('fk_completions_tenant_id_membership_id_memberships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_completions_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_completions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_completions')),
    sa.UniqueConstraint('tenant_id', 'course_id', 'membership_id', 'completed_on', name=op.f('uq_completions_tenant_id_course_id_membership_id_completed_on'))
    )
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.create_index('ix_completions_tenant_partner', ['tenant_id', 'partner_id', 'expires_on'], unique=False)

    op.create_table('touchpoints',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_touchpoints_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'plan_id'], ['touch_plans.tenant_id', 'touch_plans.id'], name=op.f('fk_touchpoints_tenant_id_plan_id_touch_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_touchpoints_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_touchpoints'))
    )
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.create_index('ix_touchpoints_tenant_partner_due', ['tenant_id', 'partner_id', 'due'], unique=False)
        batch_op.create_index('ix_touchpoints_tenant_plan', ['tenant_id', 'plan_id'], unique=False)

    op.create_table('touches',
    sa.Column('partner_id', sa.Uuid(), nullable=False),
    sa.Column('touchpoint_id', sa.Uuid(), nullable=True),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('logged_by_id', sa.Uuid(), nullable=True),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'partner_id'], ['partners.tenant_id', 'partners.id'], name=op.f('fk_touches_tenant_id_partner_id_partners'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'touchpoint_id'], ['touchpoints.tenant_id', 'touchpoints.id'], name=op.f('fk_touches_tenant_id_touchpoint_id_touchpoints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_touches_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_touches')),
    sa.UniqueConstraint('tenant_id', 'touchpoint_id', name=op.f('uq_touches_tenant_id_touchpoint_id'))
    )
    with op.batch_alter_table('touches', schema=None) as batch_op:
        batch_op.create_index('ix_touches_tenant_partner_day', ['tenant_id', 'partner_id', 'happened_on'], unique=False)
    for table in TABLES:
        rls.enable_tenant_rls(op, table)


def downgrade():
    for table in TABLES:
        rls.disable_tenant_rls(op, table)
    with op.batch_alter_table('touches', schema=None) as batch_op:
        batch_op.drop_index('ix_touches_tenant_partner_day')

    op.drop_table('touches')
    with op.batch_alter_table('touchpoints', schema=None) as batch_op:
        batch_op.drop_index('ix_touchpoints_tenant_plan')
        batch_op.drop_index('ix_touchpoints_tenant_partner_due')

    op.drop_table('touchpoints')
    with op.batch_alter_table('completions', schema=None) as batch_op:
        batch_op.drop_index('ix_completions_tenant_partner')

    op.drop_table('completions')
    op.drop_table('touch_plans')
    op.drop_table('courses')
