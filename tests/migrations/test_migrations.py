"""The migration history: linear, upgrades from empty, downgrades to base and back, matches the models."""
from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from app import create_app
from app.extensions import db
from config import BASE_DIR
from tests.conftest import BACKEND


def test_history_is_linear_with_one_head():
    script = ScriptDirectory.from_config(_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    for revision in script.walk_revisions():
        assert not isinstance(revision.down_revision, (tuple, list)), f"merge point at {revision.revision}"


def _config():
    from alembic.config import Config

    config = Config(str(BASE_DIR / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    return config


@pytest.fixture
def scratch_url(tmp_path, request):
    """An empty database of the suite's backend, apart from the shared test database."""
    if BACKEND == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        name = f"scratch_{os.getpid()}_{abs(hash(request.node.name)) % 100000}"
        return cluster.create_database(name)
    return f"sqlite:///{tmp_path / 'scratch.sqlite'}"


def _schema_diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_upgrade_and_models_match(scratch_url):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        upgrade()
        engine = create_engine(scratch_url)
        tables = set(inspect(engine).get_table_names())
        assert {"tenants", "users", "memberships", "partners", "audit_events"} <= tables
        assert _schema_diff(engine) == []
        downgrade(revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert _schema_diff(engine) == []
        engine.dispose()
        db.engine.dispose()


def test_every_tenant_table_keys_lead_with_tenant_id():
    for table in db.metadata.sorted_tables:
        if "tenant_id" not in table.c or table.name in ("login_sessions", "email_tokens"):
            continue
        pk = [c.name for c in table.primary_key.columns]
        assert pk[0] == "tenant_id", f"{table.name} primary key {pk} does not lead with tenant_id"
        assert not table.c.tenant_id.nullable, f"{table.name}.tenant_id is nullable"
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in ("tenants", "users"):
                continue
            cols = [c.name for c in fk.columns]
            assert cols[0] == "tenant_id", f"{table.name} -> {target} is not a composite key with tenant_id"
