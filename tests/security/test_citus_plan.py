"""Citus readiness on paper (app/security/citus.py): the live, migrated schema would distribute by tenant."""
from sqlalchemy import Column, ForeignKeyConstraint, Index, MetaData, String, Table, UniqueConstraint, Uuid

from app.extensions import db
from app.security import citus


def _live_plan(app):
    with app.app_context():
        return citus.plan(citus.reflect(db.engine)), set(citus.reflect(db.engine).tables)


def test_every_table_of_the_migrated_schema_has_exactly_one_place(app):
    plan, tables = _live_plan(app)
    placed = plan.reference + plan.distributed + plan.local
    assert len(placed) == len(set(placed)), "a table is placed twice"
    assert set(placed) == tables
    assert {"tenants", "users", "login_sessions", "email_tokens", "rate_limit_counters"} == set(plan.reference)
    assert {"partners", "memberships", "audit_events", "health_measurements"} <= set(plan.distributed)


def test_every_key_of_every_tenant_table_leads_with_tenant_id(app):
    plan, _ = _live_plan(app)
    assert plan.problems == []


def test_tables_are_distributed_after_what_they_reference_or_the_key_waits(app):
    with app.app_context():
        metadata = citus.reflect(db.engine)
    plan = citus.plan(metadata)
    position = {name: i for i, name in enumerate(plan.distributed)}
    deferred = {(key.table, key.target) for key in plan.deferred}
    assert ("memberships", "partners") in deferred  # the one cycle: partners.channel_manager_id
    for name in plan.distributed:
        for fk in metadata.tables[name].foreign_key_constraints:
            target = fk.referred_table.name
            if target in position and target != name:
                assert position[target] < position[name] or (name, target) in deferred, (name, target)
            elif target not in position:
                assert target in plan.reference
    for name in plan.reference:
        assert all(fk.referred_table.name in plan.reference for fk in metadata.tables[name].foreign_key_constraints)


def test_the_check_finds_keys_that_would_not_distribute():
    metadata = MetaData()
    Table("tenants", metadata, Column("id", Uuid, primary_key=True))
    Table("things", metadata,
          Column("tenant_id", Uuid, primary_key=True, nullable=False), Column("id", Uuid, primary_key=True),
          Column("code", String(10)), Column("other_id", Uuid),
          UniqueConstraint("code", name="uq_things_code"),
          ForeignKeyConstraint(["tenant_id"], ["tenants.id"]))
    Table("others", metadata,
          Column("id", Uuid, primary_key=True), Column("tenant_id", Uuid, nullable=False),
          Column("thing_id", Uuid), Column("slug", String(10)),
          ForeignKeyConstraint(["thing_id"], ["things.id"], name="fk_others_thing"),
          Index("uq_others_slug", "slug", unique=True))
    problems = citus.plan(metadata).problems
    assert "things: unique key ['code'] does not lead with tenant_id" in problems
    assert "others: primary key ['id'] does not lead with tenant_id" in problems
    assert "others: unique index uq_others_slug ['slug'] does not lead with tenant_id" in problems
    assert any(p.startswith("others -> things: foreign key ['thing_id']") for p in problems)
    assert len(problems) == 4


def test_citus_ddl_command_prints_a_statement_per_table(app, runner):
    result = runner.invoke(args=["citus", "ddl"])
    assert result.exit_code == 0, result.output
    plan, _ = _live_plan(app)
    for name in plan.reference:
        assert f"SELECT create_reference_table('{name}');" in result.output
    anchor = plan.colocation_anchor
    assert f"SELECT create_distributed_table('{anchor}', 'tenant_id');" in result.output
    for name in plan.distributed[1:]:
        assert (f"SELECT create_distributed_table('{name}', 'tenant_id', colocate_with => '{anchor}');"
                in result.output)
    assert result.output.index("DROP CONSTRAINT fk_memberships_tenant_id_partner_id_partners") < \
        result.output.index("create_distributed_table") < \
        result.output.index("ADD CONSTRAINT fk_memberships_tenant_id_partner_id_partners")

