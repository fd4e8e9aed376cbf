"""The health dashboard's "proposals waiting for you" is read through its index (migration 0021),
not by reading every agreement of the tenant (SQLite's plan; PostgreSQL's planner may rightly scan
a table this small)."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.health import services
from app.tenancy import tenant_scope


def test_waiting_proposals_use_the_waiting_index(app, make):
    tenant = make.tenant("waiting")
    with tenant_scope(tenant.id):
        if db.session.get_bind().dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite")
        seen = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            assert services.waiting_for("vendor") == []
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        statement, parameters = next(s for s in seen if "health_agreements" in s[0])
        conn = db.session.connection()
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "USING INDEX ix_health_agreements_tenant_waiting (tenant_id=? AND status=? AND proposed_by=?)" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # oldest first straight from the index
