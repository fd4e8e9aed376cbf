"""PostgreSQL row-level security (rule T4), applied by migrations; a no-op on SQLite.

Every table whose `tenant_id` is NOT NULL is tenant-owned: RLS is enabled and forced (the table
owner is bound too) with one policy, `tenant_isolation`, whose USING and WITH CHECK both compare
`tenant_id` with `app.current_tenant`, the setting app.tenancy sets per transaction. With no
tenant set the setting is empty, the comparison is NULL, and nothing is visible or writable.

`unscoped()` does not open the database: it sets `app.bypass_rls`, which only two narrow,
read-only policies honour, each for one sign-in lookup and only for the row that lookup names
(`signin_lookup`): a user's own memberships, and the API token whose digest was presented.

A migration that adds a tenant-owned table calls `enable_tenant_rls(op, "table")`.
"""
from __future__ import annotations

import logging
import os
import re
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

log = logging.getLogger(__name__)

POLICY = "tenant_isolation"
CURRENT_TENANT = "NULLIF(current_setting('app.current_tenant', true), '')::uuid"
BYPASS_ON = "current_setting('app.bypass_rls', true) = 'on'"
# Tables with a nullable tenant_id that are global on purpose: read before any tenant is known.
GLOBAL_TABLES = {
    "login_sessions": "a sign-in session is found by its random id before the tenant is chosen",
    "email_tokens": "a reset or invitation link is found by its digest before anyone signs in",
}
# The narrow, read-only cross-tenant lookups sign-in needs (table -> (policy, setting, column)).
LOOKUPS = {
    "memberships": ("signin_lookup", "app.lookup_user", "user_id", "uuid"),
    "api_tokens": ("signin_lookup", "app.lookup_token", "token_hash", "text"),
}
APPEND_ONLY_TABLE = "audit_events"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


def _ident(name: str) -> str:
    # Identifiers come from the schema or configuration, never from users; refuse anything odd.
    if not _IDENT.match(name or ""):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return f'"{name}"'


def _conn(op_or_conn) -> Connection:
    return op_or_conn.get_bind() if hasattr(op_or_conn, "get_bind") else op_or_conn


def is_postgres(op_or_conn) -> bool:
    return _conn(op_or_conn).dialect.name == "postgresql"


def app_role_name() -> str:
    """The non-owner role the web app connects as: APP_DATABASE_URL's user, else TANDEM_APP_ROLE."""
    url = None
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            url = current_app.config.get("APP_DATABASE_URL")
    except ImportError:  # pragma: no cover - migrations always run inside the app
        pass
    url = url or os.environ.get("APP_DATABASE_URL")
    if url:
        return make_url(url).username
    return os.environ.get("TANDEM_APP_ROLE", "tandem_app")


def role_exists(conn: Connection, role: str) -> bool:
    return bool(conn.execute(text("select 1 from pg_roles where rolname = :r"), {"r": role}).scalar())


def tenant_tables(conn: Connection) -> list[str]:
    """Base tables of the current schema with a NOT NULL tenant_id column."""
    return list(conn.execute(text(
        "select c.table_name from information_schema.columns c "
        "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name "
        "where c.table_schema = current_schema() and c.column_name = 'tenant_id' and c.is_nullable = 'NO' "
        "and t.table_type = 'BASE TABLE' order by c.table_name")).scalars())


def enable_tenant_rls(op_or_conn, table: str, role: str | None = None) -> None:
    """Enable and force RLS on a tenant-owned table with the tenant_isolation policy; grant the app role."""
    conn = _conn(op_or_conn)
    if conn.dialect.name != "postgresql":
        return
    t = _ident(table)
    conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY"))
    conn.execute(text(f"DROP POLICY IF EXISTS {POLICY} ON {t}"))
    conn.execute(text(
        f"CREATE POLICY {POLICY} ON {t} AS PERMISSIVE FOR ALL "
        f"USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"))
    if table in LOOKUPS:
        policy, setting, column, cast = LOOKUPS[table]
        conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
        conn.execute(text(
            f"CREATE POLICY {policy} ON {t} AS PERMISSIVE FOR SELECT "
            f"USING ({BYPASS_ON} AND {_ident(column)} = NULLIF(current_setting('{setting}', true), '')::{cast})"))
    grant_app_role(conn, role, tables=[table])


def disable_tenant_rls(op_or_conn, table: str) -> None:
    """Undo enable_tenant_rls (downgrades)."""
    conn = _conn(op_or_conn)
    if conn.dialect.name != "postgresql":
        return
    t = _ident(table)
    for policy in {POLICY} | ({LOOKUPS[table][0]} if table in LOOKUPS else set()):
        conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
    conn.execute(text(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY"))
    conn.execute(text(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY"))


def grant_app_role(op_or_conn, role: str | None = None, tables: list[str] | None = None) -> bool:
    """Data rights only (no DDL, no TRUNCATE) for the app role, if it exists; audit rows are insert-only."""
    conn = _conn(op_or_conn)
    if conn.dialect.name != "postgresql":
        return False
    role = role or app_role_name()
    if not role_exists(conn, role):
        if tables is not None:
            return False
        log.warning("role %s does not exist: no grants made (create it, then grant as the README says, "
                    "or call app.security.rls.grant_app_role as the owner)", role)
        return False
    r = _ident(role)
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {r}"))
    if tables is None:
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}"))
        # Tables later migrations create (as this owner) get the same rights without asking.
        conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}"))
        conn.execute(text(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {r}"))
        # The migration history is the owner's: the app may read which revision it runs on.
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {r}"))
        tables = [APPEND_ONLY_TABLE]
    for table in tables:
        t = _ident(table)
        conn.execute(text(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON {t} FROM {r}"))
        if table == APPEND_ONLY_TABLE:
            conn.execute(text(f"REVOKE UPDATE, DELETE ON {t} FROM {r}"))
            conn.execute(text(f"GRANT SELECT, INSERT ON {t} TO {r}"))
        else:
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t} TO {r}"))
    return True


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION tandem_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one way audit rows go: with their tenant (ON DELETE CASCADE from tenants, e.g. demo --reset).
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1
       AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def make_audit_append_only(op_or_conn) -> None:
    """A row trigger refusing UPDATE and DELETE on audit_events for every role, owner included."""
    conn = _conn(op_or_conn)
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(APPEND_ONLY_FUNCTION))
    conn.execute(text(f"DROP TRIGGER IF EXISTS audit_events_append_only ON {APPEND_ONLY_TABLE}"))
    conn.execute(text(
        f"CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON {APPEND_ONLY_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION tandem_audit_append_only()"))


def drop_audit_append_only(op_or_conn) -> None:
    conn = _conn(op_or_conn)
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text(f"DROP TRIGGER IF EXISTS audit_events_append_only ON {APPEND_ONLY_TABLE}"))
    conn.execute(text("DROP FUNCTION IF EXISTS tandem_audit_append_only()"))


def rls_report(conn: Connection) -> dict[str, dict]:
    """Per table with a tenant_id column: nullable, RLS enabled, forced, and its policies' clauses."""
    rows = conn.execute(text(
        "select c.relname, a.attnotnull, c.relrowsecurity, c.relforcerowsecurity "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped "
        "where n.nspname = current_schema() and c.relkind in ('r', 'p')")).all()
    report = {name: {"not_null": notnull, "enabled": enabled, "forced": forced, "policies": {}}
              for name, notnull, enabled, forced in rows}
    for table, policy, cmd, qual, check in conn.execute(text(
            "select tablename, policyname, cmd, qual, with_check from pg_policies "
            "where schemaname = current_schema()")).all():
        if table in report:
            report[table]["policies"][policy] = {"cmd": cmd, "using": qual, "check": check}
    return report


def rls_gaps(conn: Connection) -> list[str]:
    """Why any table with a tenant_id column is not protected; empty when every one is."""
    gaps = []
    for table, info in sorted(rls_report(conn).items()):
        if not info["not_null"]:
            if table not in GLOBAL_TABLES:
                gaps.append(f"{table}: tenant_id is nullable and the table is not a known global table")
            continue
        if not info["enabled"]:
            gaps.append(f"{table}: row-level security is not enabled")
        if not info["forced"]:
            gaps.append(f"{table}: row-level security is not forced")
        policy = info["policies"].get(POLICY)
        if policy is None or policy["cmd"] != "ALL":
            gaps.append(f"{table}: no {POLICY} policy for ALL commands")
        elif "tenant_id" not in (policy["using"] or "") or "tenant_id" not in (policy["check"] or ""):
            gaps.append(f"{table}: {POLICY} lacks a USING or WITH CHECK on tenant_id")
        for name, other in info["policies"].items():
            if name != POLICY and (other["cmd"] != "SELECT" or "bypass_rls" not in (other["using"] or "")):
                gaps.append(f"{table}: extra policy {name} is not a read-only lookup behind unscoped()")
    return gaps


@contextmanager
def signin_lookup(session, setting: str, value: str) -> Iterator[None]:
    """Inside unscoped(): let RLS show just the row(s) one sign-in lookup names, for this block."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("select set_config(:k, :v, true)"), {"k": setting, "v": value})
    try:
        yield
    finally:
        if postgres:
            session.connection().execute(text("select set_config(:k, '', true)"), {"k": setting})
