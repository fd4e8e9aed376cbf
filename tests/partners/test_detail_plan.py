"""The partner page's recent activity reads the partner's last events through the audit index
(migration 0021), not by walking the tenant's whole chain backwards (SQLite's plan)."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.tenancy import tenant_scope
from tests.conftest import login


def test_recent_activity_uses_the_object_index(app, make):
    tenant = make.tenant("activity")
    partner = make.partner(tenant, "Acme Consulting")
    client = app.test_client()
    login(client, "admin@activity.example")
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    event.listen(engine, "before_cursor_execute", capture)
    try:
        page = client.get(f"/partners/{partner.id}")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert page.status_code == 200 and "Created partner Acme Consulting" in page.get_data(as_text=True)
    statement, parameters = next(s for s in seen if s[0].lstrip().startswith("SELECT audit_events."))
    with tenant_scope(tenant.id):
        conn = db.session.connection()
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    assert "USING INDEX ix_audit_events_tenant_object (tenant_id=? AND object_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # newest first straight from the index
