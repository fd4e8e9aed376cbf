"""Row-level security on PostgreSQL (T4): raw SQL as the app role sees and writes only its tenant."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from app.core.db import TenantScoped
from app.extensions import db
from app.security import rls
from tests.conftest import APP_ROLE, BACKEND, login

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL row-level security")


@pytest.fixture
def as_app(app_database_url):
    engine = create_engine(app_database_url)
    yield engine
    engine.dispose()


def _scoped(conn, tenant_id=None, bypass=False):
    conn.execute(text("select set_config('app.current_tenant', :t, true), set_config('app.bypass_rls', :b, true)"),
                 {"t": str(tenant_id) if tenant_id else "", "b": "on" if bypass else "off"})


@pytest.fixture
def two_tenants(make):
    """Two tenants with partners, people, tokens and audit events in every foundation table."""
    a, b = make.tenant("rls-a", "Tenant A"), make.tenant("rls-b", "Tenant B")
    for tenant in (a, b):
        partner = make.partner(tenant, f"{tenant.name} Partner")
        member = make.member(tenant, "partner_user", partner)
        make.token(member)
    return a, b


def test_the_app_connects_as_a_role_that_owns_nothing_and_cannot_bypass_rls(app):
    row = db.session.execute(text(
        "select current_user, rolsuper, rolbypassrls, "
        "(select count(*) from pg_class c where c.relowner = r.oid and c.relkind = 'r') "
        "from pg_roles r where rolname = current_user")).one()
    db.session.rollback()
    assert row == (APP_ROLE, False, False, 0)


def test_every_tenant_table_has_forced_rls_with_using_and_check(app, owner, capsys):
    with owner.connect() as conn:
        report = rls.rls_report(conn)
        gaps = rls.rls_gaps(conn)
    orm_tables = {m.local_table.name for m in db.Model.registry.mappers if issubclass(m.class_, TenantScoped)}
    protected = {t for t, info in report.items() if info["forced"] and rls.POLICY in info["policies"]}
    with capsys.disabled():
        print(f"\nrls: {len(protected)} tenant tables with forced RLS, {len(gaps)} without "
              f"(global by design: {', '.join(sorted(rls.GLOBAL_TABLES))})")
    assert gaps == []
    assert orm_tables <= protected, f"tenant-scoped models without RLS: {orm_tables - protected}"


def test_the_meta_test_fails_a_table_with_tenant_id_but_no_forced_rls_and_policy(app, owner):
    with owner.begin() as conn:
        conn.execute(text("create table rls_probe (tenant_id uuid not null, id uuid primary key)"))
    try:
        with owner.connect() as conn:
            assert "rls_probe: row-level security is not enabled" in rls.rls_gaps(conn)
        with owner.begin() as conn:
            conn.execute(text("alter table rls_probe enable row level security"))
            conn.execute(text("create policy tenant_isolation on rls_probe for all using "
                              "(tenant_id = nullif(current_setting('app.current_tenant', true), '')::uuid)"))
        with owner.connect() as conn:
            gaps = [g for g in rls.rls_gaps(conn) if g.startswith("rls_probe")]
        assert "rls_probe: row-level security is not forced" in gaps
        assert "rls_probe: tenant_isolation lacks a USING or WITH CHECK on tenant_id" in gaps
        with owner.begin() as conn:
            rls.enable_tenant_rls(conn, "rls_probe")
            conn.execute(text("create policy wide_open on rls_probe for select using (true)"))
        with owner.connect() as conn:
            gaps = [g for g in rls.rls_gaps(conn) if g.startswith("rls_probe")]
        assert gaps == ["rls_probe: extra policy wide_open is not a read-only lookup behind unscoped()"]
        with owner.begin() as conn:
            conn.execute(text("drop policy wide_open on rls_probe"))
        with owner.connect() as conn:
            assert not [g for g in rls.rls_gaps(conn) if g.startswith("rls_probe")]
    finally:
        with owner.begin() as conn:
            conn.execute(text("drop table rls_probe"))


def test_raw_sql_as_the_app_role_sees_only_the_current_tenant(app, as_app, owner, two_tenants, capsys):
    a, b = two_tenants
    with owner.connect() as conn:
        tables = rls.tenant_tables(conn)
        populated = {t for t in tables
                     if conn.execute(text(f'select count(distinct tenant_id) from "{t}"')).scalar() == 2}
    assert {"partners", "memberships", "api_tokens", "audit_events"} <= populated
    probes = leaks = 0
    with as_app.connect() as conn:
        for table in tables:
            with conn.begin():
                _scoped(conn)  # no tenant: nothing at all
                probes += 1
                leaks += conn.execute(text(f'select count(*) from "{table}"')).scalar()
            with conn.begin():
                _scoped(conn, bypass=True)  # unscoped() alone opens nothing
                probes += 1
                leaks += conn.execute(text(f'select count(*) from "{table}"')).scalar()
            for mine, theirs in ((a, b), (b, a)):
                with conn.begin():
                    _scoped(conn, mine.id)
                    probes += 1
                    seen = set(conn.execute(text(f'select distinct tenant_id from "{table}"')).scalars())
                    leaks += len(seen - {mine.id})
                    if table in populated:
                        assert seen == {mine.id}, table
                    probes += 1
                    leaks += conn.execute(text(f'select count(*) from "{table}" where tenant_id = :t'),
                                          {"t": theirs.id}).scalar()
    with capsys.disabled():
        print(f"\nrls: {probes} cross-tenant raw-SQL probes over {len(tables)} tables, {leaks} leaks")
    assert leaks == 0


def _insert_partner(conn, tenant_id):
    conn.execute(text(
        "insert into partners (tenant_id, id, created_at, name, status, segments, certifications, notes, version) "
        "values (:t, :i, now(), 'Smuggled', 'active', '[]', '[]', '', 1)"), {"t": tenant_id, "i": uuid.uuid4()})


@pytest.mark.parametrize("scope", ["other", "none", "bypass"])
def test_writing_a_row_with_another_tenants_id_is_refused(app, as_app, two_tenants, scope):
    a, b = two_tenants
    with as_app.connect() as conn:
        with pytest.raises(ProgrammingError, match="row-level security"):
            with conn.begin():
                _scoped(conn, a.id if scope == "other" else None, bypass=scope == "bypass")
                _insert_partner(conn, b.id)


def test_moving_or_touching_another_tenants_rows_is_refused(app, as_app, owner, two_tenants):
    a, b = two_tenants
    with as_app.connect() as conn:
        with pytest.raises(ProgrammingError, match="row-level security"):
            with conn.begin():
                _scoped(conn, a.id)
                conn.execute(text("update partners set tenant_id = :b"), {"b": b.id})
        with conn.begin():
            _scoped(conn, a.id)
            assert conn.execute(text("update partners set name = 'Hijacked' where tenant_id = :b"),
                                {"b": b.id}).rowcount == 0
            assert conn.execute(text("delete from memberships where tenant_id = :b"), {"b": b.id}).rowcount == 0
    with owner.connect() as conn:
        assert conn.execute(text("select count(*) from partners where name = 'Hijacked'")).scalar() == 0
        assert conn.execute(text("select count(*) from memberships where tenant_id = :b"), {"b": b.id}).scalar() == 2


def test_unscoped_lookups_see_only_the_named_membership_or_token(app, as_app, make, two_tenants):
    from app.auth.services import digest

    a, b = two_tenants
    alice = make.member(a, "vendor_viewer", email="alice@both.example")
    make.member(b, "vendor_viewer", email="alice@both.example")
    with as_app.connect() as conn, conn.begin():
        _scoped(conn, bypass=True)
        conn.execute(text("select set_config('app.lookup_user', :u, true)"), {"u": str(alice.user_id)})
        rows = conn.execute(text("select user_id, tenant_id from memberships")).all()
        assert {r.tenant_id for r in rows} == {a.id, b.id} and {r.user_id for r in rows} == {alice.user_id}
        assert conn.execute(text("select count(*) from partners")).scalar() == 0
        conn.execute(text("select set_config('app.bypass_rls', 'off', true)"))
        assert conn.execute(text("select count(*) from memberships")).scalar() == 0
    with as_app.connect() as conn, conn.begin():
        _scoped(conn, bypass=True)
        conn.execute(text("select set_config('app.lookup_token', :h, true)"), {"h": digest("tdm_nothing")})
        assert conn.execute(text("select count(*) from api_tokens")).scalar() == 0


def test_sign_in_across_tenants_and_bearer_tokens_work_under_rls(app, client, make, two_tenants):
    a, b = two_tenants
    make.member(a, "vendor_viewer", email="both@x.example")
    theirs = make.member(b, "vendor_viewer", email="both@x.example")
    login(client, "both@x.example", choose=False)
    page = client.get("/auth/tenants").get_data(as_text=True)
    assert "Tenant A" in page and "Tenant B" in page
    token = make.token(theirs)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["tenant"]["slug"] == "rls-b"


def test_the_app_role_has_no_ddl_and_cannot_switch_rls_off(app, as_app):
    for statement in ("create table intruder (id int)", "alter table partners disable row level security",
                      "alter table partners no force row level security", "drop policy tenant_isolation on partners",
                      "truncate partners", "update alembic_version set version_num = 'x'"):
        with as_app.connect() as conn:
            with pytest.raises((ProgrammingError, DBAPIError), match="permission denied|must be owner"):
                with conn.begin():
                    conn.execute(text(statement))


def test_orm_reads_in_the_app_see_one_tenant_even_past_the_orm_filter(app, two_tenants):
    """A Core text() query bypasses the ORM scope; RLS still filters it."""
    from app.tenancy import tenant_scope

    a, b = two_tenants
    with tenant_scope(a.id):
        names = set(db.session.scalars(text("select name from partners")))
        db.session.rollback()
    assert names == {"Tenant A Partner"}
    from app.partners.models import Partner
    with tenant_scope(b.id):
        assert [p.name for p in db.session.scalars(select(Partner))] == ["Tenant B Partner"]
        db.session.rollback()


def test_the_rls_migration_downgrades_and_upgrades_again(pg_cluster, database_url):  # (the app role exists)
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from config import BASE_DIR

    url = pg_cluster.create_database("tandem_rls_roundtrip")
    app_url = pg_cluster.url("tandem_rls_roundtrip", user=APP_ROLE, password="unused")
    migrations = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "APP_DATABASE_URL": app_url})
    before = ScriptDirectory(str(BASE_DIR / "migrations")).get_revision("0005").down_revision
    owner = create_engine(url)
    try:
        with migrations.app_context():
            upgrade()
            with owner.connect() as conn:
                assert rls.rls_gaps(conn) == []
                assert conn.execute(text("select has_table_privilege(:r, 'audit_events', 'UPDATE'), "
                                         "has_table_privilege(:r, 'partners', 'UPDATE')"), {"r": APP_ROLE}).one() == (False, True)
            downgrade(revision=before)
            with owner.connect() as conn:
                report = rls.rls_report(conn)
                assert not any(info["enabled"] or info["policies"] for info in report.values())
                assert conn.execute(text("select count(*) from pg_trigger where tgname = 'audit_events_append_only'")).scalar() == 0
            upgrade()
            with owner.connect() as conn:
                assert rls.rls_gaps(conn) == []
            db.engine.dispose()
    finally:
        owner.dispose()
