"""The audit trail (T5): append-only in the database, hash-chained, verifiable, searchable, exportable."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from tests.conftest import BACKEND, login

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL trigger and grants")


@pytest.fixture
def busy_tenant(app, make):
    """A tenant whose chain holds creations by the CLI and changes made through the API."""
    tenant = make.tenant("audited", "Audited Vendor")
    token = make.token(make.admin_membership(tenant))
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    made = api.post("/api/v1/partners", json={"name": "Chain Partner"}, headers=headers).get_json()
    api.patch(f"/api/v1/partners/{made['id']}", json={"version": made["version"], "region": "emea"}, headers=headers)
    make.member(tenant, "vendor_viewer", email="viewer@audited.example")
    return tenant


def _tamper(owner, statement: str, slug: str = "audited") -> None:
    """Change the audit table behind the app's back, as the owner with the append-only trigger off."""
    with owner.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("set local session_replication_role = replica"))  # owner only: triggers off
        conn.execute(text(statement.replace(":tenant", "(select id from tenants where slug = :slug)")), {"slug": slug})


AUDITED = "(select id from tenants where slug = 'audited')"


def test_audit_verify_passes_an_intact_chain(runner, owner, busy_tenant):
    with owner.connect() as conn:
        events = conn.execute(text(f"select count(*) from audit_events where tenant_id = {AUDITED}")).scalar()
    result = runner.invoke(args=["audit", "verify", "--tenant", "audited"])
    assert result.exit_code == 0, result.output
    assert f"OK: {events} events, chain intact" in result.output


def test_audit_verify_finds_a_row_altered_behind_the_apps_back(runner, owner, busy_tenant):
    with owner.connect() as conn:
        seq, event_id = conn.execute(text(f"select seq, id from audit_events where action = 'partner.update' "
                                          f"and tenant_id = {AUDITED}")).one()
    _tamper(owner, f"update audit_events set summary = 'nothing happened' where seq = {seq} and tenant_id = :tenant")
    result = runner.invoke(args=["audit", "verify", "--tenant", "audited"])
    assert result.exit_code == 1
    assert f"BROKEN at event {seq}" in result.output and "does not match its hash" in result.output
    assert str(event_id).replace("-", "") in result.output.replace("-", "")
    assert "partner.update" in result.output


def test_audit_verify_finds_a_removed_row_and_a_rewritten_link(runner, owner, busy_tenant, make):
    other = make.tenant("bystander")
    _tamper(owner, "delete from audit_events where seq = 2 and tenant_id = :tenant")
    result = runner.invoke(args=["audit", "verify", "--tenant", "audited"])
    assert result.exit_code == 1 and "BROKEN at event 3" in result.output and "sequence gap" in result.output
    # Each tenant has its own chain: the other one is untouched.
    assert runner.invoke(args=["audit", "verify", "--tenant", other.slug]).exit_code == 0
    _tamper(owner, "update audit_events set prev_hash = hash where seq = 1 and tenant_id = :tenant", other.slug)
    result = runner.invoke(args=["audit", "verify", "--tenant", other.slug])
    assert result.exit_code == 1 and "previous-hash link does not match" in result.output


@postgres_only
@pytest.mark.parametrize("statement", [
    "update audit_events set summary = 'rewritten'",
    "delete from audit_events",
    "truncate audit_events",
])
def test_the_app_role_cannot_change_or_remove_audit_events(app, busy_tenant, statement):
    from app.tenancy import tenant_scope

    with tenant_scope(busy_tenant.id):
        before = db.session.scalar(text("select count(*) from audit_events"))
        db.session.rollback()
        assert before >= 5
        with pytest.raises(DBAPIError, match="permission denied|append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.scalar(text("select count(*) from audit_events")) == before
        db.session.rollback()


@postgres_only
@pytest.mark.parametrize("statement", ["update audit_events set summary = 'rewritten'", "delete from audit_events"])
def test_the_append_only_trigger_binds_the_owner_too(owner, busy_tenant, statement):
    with owner.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            with conn.begin():
                conn.execute(text(statement))


@postgres_only
def test_deleting_a_tenant_still_cascades_to_its_audit_events(owner, runner, busy_tenant, make):
    keep = make.tenant("kept")
    count_sql = text("select t.slug, count(*) from audit_events e join tenants t on t.id = e.tenant_id group by t.slug")
    with owner.connect() as conn:
        kept_events = dict(conn.execute(count_sql).all())["kept"]
    with owner.begin() as conn:
        conn.execute(text("delete from tenants where slug = 'audited'"))
    with owner.connect() as conn:
        counts = dict(conn.execute(count_sql).all())
    assert counts == {"kept": kept_events}
    assert runner.invoke(args=["audit", "verify", "--tenant", keep.slug]).exit_code == 0


def test_demo_reset_replaces_the_demo_tenant_and_its_audit_trail(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["demo", "--reset"])
    assert result.exit_code == 0, result.output
    assert "Demo tenant created." in result.output
    verified = runner.invoke(args=["audit", "verify", "--tenant", "demo"])
    assert verified.exit_code == 0 and "chain intact" in verified.output


def _rows(html: str) -> int:
    return html.count("<tr>") - 1  # minus the header row


def test_audit_search_by_actor_object_action_and_date(app, client, owner, busy_tenant):
    with owner.connect() as conn:
        total = conn.execute(text(f"select count(*) from audit_events where tenant_id = {AUDITED}")).scalar()
    login(client, "admin@audited.example")
    everything = client.get("/audit/").get_data(as_text=True)
    assert _rows(everything) == total
    by_actor = client.get("/audit/?actor=ADMIN@audited").get_data(as_text=True)
    assert _rows(by_actor) == 2 and "partner.update" in by_actor and "membership.create" not in by_actor
    by_object = client.get("/audit/?object=chain partner").get_data(as_text=True)
    assert _rows(by_object) == 2 and "partner.create" in by_object
    by_action = client.get("/audit/?action=membership").get_data(as_text=True)
    assert _rows(by_action) == 2 and "partner." not in by_action
    today = date.today()
    assert _rows(client.get(f"/audit/?from={today}&to={today}").get_data(as_text=True)) == total
    later = client.get(f"/audit/?from={today + timedelta(days=2)}").get_data(as_text=True)
    assert "No event matches." in later
    assert "No event matches." in client.get(f"/audit/?to={today - timedelta(days=2)}").get_data(as_text=True)
    combined = client.get("/audit/?actor=admin&action=update").get_data(as_text=True)
    assert _rows(combined) == 1


def test_audit_export_is_the_filtered_chain_as_csv(app, client, busy_tenant):
    login(client, "admin@audited.example")
    response = client.get("/audit/export.csv?actor=admin@audited")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["partner.create", "partner.update"]
    assert all(len(r["hash"]) == 64 and len(r["prev_hash"]) == 64 for r in rows)
    full = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").get_data(as_text=True))))
    assert [int(r["seq"]) for r in full] == list(range(1, len(full) + 1)) and len(full) >= 5
    assert all(full[i]["prev_hash"] == full[i - 1]["hash"] for i in range(1, len(full)))


def test_another_tenants_events_never_show_in_search_or_export(app, client, busy_tenant, make):
    make.tenant("nosy")
    login(client, "admin@nosy.example")
    assert "Chain Partner" not in client.get("/audit/?object=chain").get_data(as_text=True)
    assert "Chain Partner" not in client.get("/audit/export.csv").get_data(as_text=True)
