"""A re-import right after a large import finds each account by its primary key (fresh statistics on PostgreSQL)."""
from __future__ import annotations

import time

from sqlalchemy import text

from tests.support.accounts_world import build  # noqa: I001  (imports app.auth first)
from app.accounts.services import ANALYZE_AFTER_CREATED, _AccountUpdater
from app.extensions import db
from app.tenancy import tenant_scope
from tests.accounts.test_accounts_import import _rows, _upload


def test_a_reimport_after_a_large_import_updates_by_primary_key(client, make):
    world = build(make, with_accounts=False)
    assert _upload(world, client, _rows(3_000), who="vendor_admin").status_code == 201
    assert 3_000 >= ANALYZE_AFTER_CREATED
    with tenant_scope(world.tenant_id):
        conn = db.session.connection()
        account_id, owner = conn.execute(text("SELECT CAST(id AS VARCHAR(36)), owner_key FROM accounts "
                                              "WHERE domain = 'company7.example'")).one()
        update = _AccountUpdater(conn, world.tenant_id, owner, ["name"], with_segment=False)
        params = ("Renamed", *update._where, account_id)
        if conn.dialect.name == "postgresql":
            plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + update._sql, params))
            # Without the ANALYZE after the import: "Index Scan using ix_accounts_tenant_owner_name ...
            # Filter: (id = ...)", each row reading every account of the owner.
            assert "using pk_accounts" in plan, plan
        else:
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + update._sql, params))
            assert "tenant_id=? AND id=?" in plan, plan
        db.session.rollback()
    started = time.perf_counter()
    again = _upload(world, client, _rows(3_000), who="vendor_admin")
    assert again.status_code == 201 and again.get_json()["updated"] == 3_000
    assert time.perf_counter() - started < 15  # was ~15-20 s for 3,000 rows on PostgreSQL before
