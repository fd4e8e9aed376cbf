"""row-level security, the app role's grants, append-only audit events

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-22 20:00:00

PostgreSQL only (SQLite has neither roles nor policies; the ORM tenant scope is its one layer):
- every table with a NOT NULL tenant_id at this point, whatever migration created it, gets RLS
  enabled and forced with the tenant_isolation policy (app.security.rls.enable_tenant_rls);
  later migrations call that helper for the tables they add;
- the app role (APP_DATABASE_URL's user, else TANDEM_APP_ROLE or tandem_app), if it exists, gets
  data rights only: no DDL, no TRUNCATE, and only SELECT and INSERT on audit_events;
- a trigger refuses UPDATE and DELETE on audit_events for everyone, except the cascade of a
  deleted tenant.
"""
from alembic import op

from app.security import rls

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    if not rls.is_postgres(conn):
        return
    rls.make_audit_append_only(conn)
    rls.grant_app_role(conn)
    for table in rls.tenant_tables(conn):
        rls.enable_tenant_rls(conn, table)


def downgrade():
    conn = op.get_bind()
    if not rls.is_postgres(conn):
        return
    for table in rls.tenant_tables(conn):
        rls.disable_tenant_rls(conn, table)
    rls.drop_audit_append_only(conn)
