"""Migration 0018 turns each workspace's single SSO setting into its workspace connection, secret sealed."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.sso.sealed import unseal
from tests.migrations.test_migrations import scratch_url  # noqa: F401 - the fixture

U, S = sa.Uuid(), sa.String()
TENANTS = sa.table("tenants", sa.column("id", U), sa.column("slug", S), sa.column("name", S),
                   sa.column("settings", sa.JSON()), sa.column("created_at", sa.DateTime(timezone=True)),
                   sa.column("version", sa.Integer()))
CONFIGS = sa.table("sso_configs", sa.column("tenant_id", U), sa.column("id", U), sa.column("issuer", S),
                   sa.column("client_id", S), sa.column("client_secret", S), sa.column("allowed_domains", sa.JSON()),
                   sa.column("enabled", sa.Boolean()), sa.column("version", sa.Integer()),
                   sa.column("created_at", sa.DateTime(timezone=True)))


def _scoped(conn, tenant_id):
    if conn.dialect.name == "postgresql":  # forced RLS binds the owner as well
        conn.execute(sa.text("select set_config('app.current_tenant', :t, true)"), {"t": str(tenant_id)})


def test_the_old_setting_becomes_a_sealed_workspace_connection_and_back(scratch_url):  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
    engine = sa.create_engine(scratch_url)
    tenant_id, now = uuid.uuid4(), datetime.now(timezone.utc)
    with app.app_context():
        upgrade(revision="0015")
        with engine.begin() as conn:
            conn.execute(TENANTS.insert().values(id=tenant_id, slug="acme", name="Acme", settings={}, created_at=now,
                                                 version=1))
            _scoped(conn, tenant_id)
            conn.execute(CONFIGS.insert().values(tenant_id=tenant_id, id=uuid.uuid4(), issuer="https://idp.acme.example",
                                                 client_id="tandem", client_secret="the-old-plain-secret",
                                                 allowed_domains=["Acme.example", "@acme.io"], enabled=True, version=3,
                                                 created_at=now))
        upgrade(revision="0018")
        with engine.begin() as conn:
            _scoped(conn, tenant_id)
            (row,) = conn.execute(sa.text("select * from sso_connections")).mappings().all()
            domains = sorted(conn.execute(sa.text("select domain from sso_domains")).scalars())
        assert "the-old-plain-secret" not in str(dict(row))
        assert unseal(row["client_secret_sealed"], app.config["SECRET_KEY"]) == "the-old-plain-secret"
        assert (row["owner"], row["partner_id"], row["issuer"], row["client_id"]) == (
            "workspace", None, "https://idp.acme.example", "tandem")
        assert (bool(row["jit_enabled"]), bool(row["password_allowed"]), bool(row["enabled"])) == (False, True, True)
        assert domains == ["acme.example", "acme.io"]
        downgrade(revision="0015")
        with engine.begin() as conn:
            _scoped(conn, tenant_id)
            (old,) = conn.execute(sa.select(CONFIGS)).all()
        assert (old.client_secret, sorted(old.allowed_domains), old.issuer) == (
            "the-old-plain-secret", ["acme.example", "acme.io"], "https://idp.acme.example")
    engine.dispose()
