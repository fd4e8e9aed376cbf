"""Citus readiness on paper: how Tandem's schema would be distributed by tenant (docs/ARCHITECTURE.md).

Every tenant-owned table (NOT NULL `tenant_id`) becomes a distributed table with `tenant_id` as
its distribution column, all colocated, so one tenant's rows of every table live on the same
worker and every query the app sends (always filtered by one tenant, app.tenancy) goes to one
shard. Tables without a tenant (tenants, users) and the two global sign-in tables whose
`tenant_id` may be NULL (a distribution column may not) become reference tables, copied to every
worker, which distributed tables may reference.

Citus asks three things of a distributed table's keys, which `key_problems` checks on a live
schema (reflected, so it reads what the migrations built, not what the models claim): the
primary key and every unique constraint or unique index include the distribution column, and a
foreign key to another distributed table includes it on both sides. We ask more than Citus does:
they *lead* with `tenant_id`, so the same indexes serve the one-tenant queries on a single server.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

DISTRIBUTION_COLUMN = "tenant_id"
# Not application data: Alembic's own bookkeeping stays on the coordinator.
LOCAL_TABLES = {"alembic_version"}


@dataclass
class DeferredKey:
    """A foreign key of a cycle (partners <-> memberships): dropped before distribution, re-added after."""
    table: str
    name: str
    columns: list[str]
    target: str
    target_columns: list[str]
    ondelete: str | None


@dataclass
class DistributionPlan:
    reference: list[str] = field(default_factory=list)  # in foreign-key order
    distributed: list[str] = field(default_factory=list)  # in foreign-key order
    deferred: list[DeferredKey] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def colocation_anchor(self) -> str | None:
        return self.distributed[0] if self.distributed else None


def reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=engine)
    return metadata


def _is_tenant_table(table) -> bool:
    column = table.c.get(DISTRIBUTION_COLUMN)
    return column is not None and not column.nullable


def key_problems(table, distributed_names: set[str]) -> list[str]:
    """Why this distributed table's keys would not survive distribution (empty when they do)."""
    problems = []

    def leads(columns: list[str]) -> bool:
        return bool(columns) and columns[0] == DISTRIBUTION_COLUMN

    pk = [c.name for c in table.primary_key.columns]
    if not leads(pk):
        problems.append(f"{table.name}: primary key {pk} does not lead with {DISTRIBUTION_COLUMN}")
    for constraint in table.constraints:
        if constraint.__class__.__name__ == "UniqueConstraint":
            cols = [c.name for c in constraint.columns]
            if not leads(cols):
                problems.append(f"{table.name}: unique key {cols} does not lead with {DISTRIBUTION_COLUMN}")
    for index in table.indexes:
        cols = [c.name for c in index.columns]
        if index.unique and not leads(cols):
            problems.append(f"{table.name}: unique index {index.name} {cols} does not lead with {DISTRIBUTION_COLUMN}")
    for fk in table.foreign_key_constraints:
        target = fk.referred_table.name
        if target not in distributed_names:
            continue  # a reference table: any key will do
        local = [element.parent.name for element in fk.elements]
        remote = [element.column.name for element in fk.elements]
        if not (leads(local) and remote[0] == DISTRIBUTION_COLUMN):
            problems.append(f"{table.name} -> {target}: foreign key {local} -> {remote} "
                            f"does not pair {DISTRIBUTION_COLUMN} on both sides")
    return problems


def _fk_order(tables: list, within: set[str]) -> list[str]:
    """Table names so that every table comes after the tables (of `within`) it references."""
    by_name = {t.name: t for t in tables}
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen or name in path:
            return  # a cycle (self-reference) needs no order
        for fk in by_name[name].foreign_key_constraints:
            target = fk.referred_table.name
            if target in within and target != name:
                visit(target, path + (name,))
        seen.add(name)
        done.append(name)

    for name in sorted(by_name):
        visit(name, ())
    return done


def plan(metadata: MetaData) -> DistributionPlan:
    result = DistributionPlan()
    tables = list(metadata.tables.values())
    tenant_tables = [t for t in tables if _is_tenant_table(t) and t.name not in LOCAL_TABLES]
    reference = [t for t in tables if not _is_tenant_table(t) and t.name not in LOCAL_TABLES]
    result.local = sorted(t.name for t in tables if t.name in LOCAL_TABLES)
    distributed_names = {t.name for t in tenant_tables}
    result.reference = _fk_order(reference, {t.name for t in reference})
    result.distributed = _fk_order(tenant_tables, distributed_names)
    for table in reference:
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name in distributed_names:
                result.problems.append(f"{table.name} (reference) references the distributed table "
                                       f"{fk.referred_table.name}, which Citus does not allow")
    for table in sorted(tenant_tables, key=lambda t: t.name):
        result.problems.extend(key_problems(table, distributed_names))
    # A key to a table distributed later can only be a cycle's: Citus refuses a distributed
    # table referencing a local one, so such keys wait until both ends are distributed.
    position = {name: i for i, name in enumerate(result.distributed)}
    for table in (metadata.tables[name] for name in result.distributed):
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in position and target != table.name and position[target] > position[table.name]:
                if not fk.name:
                    result.problems.append(f"{table.name} -> {target}: a foreign key in a cycle needs a name")
                    continue
                result.deferred.append(DeferredKey(
                    table.name, fk.name, [e.parent.name for e in fk.elements], target,
                    [e.column.name for e in fk.elements], fk.ondelete))
    return result


def ddl(result: DistributionPlan) -> str:
    """The statements to run on the Citus coordinator after `flask db upgrade`, in one transaction."""
    lines = [
        "-- Tandem on Citus: run on the coordinator after `flask --app wsgi db upgrade`.",
        "-- Reference tables (copied to every worker), then tenant tables distributed by tenant_id,",
        f"-- all colocated with {result.colocation_anchor}, in foreign-key order.",
        "BEGIN;",
    ]
    lines += [f"SELECT create_reference_table('{name}');" for name in result.reference]
    lines += [f"ALTER TABLE {key.table} DROP CONSTRAINT {key.name};" for key in result.deferred]
    for name in result.distributed:
        if name == result.colocation_anchor:
            lines.append(f"SELECT create_distributed_table('{name}', '{DISTRIBUTION_COLUMN}');")
        else:
            lines.append(f"SELECT create_distributed_table('{name}', '{DISTRIBUTION_COLUMN}', "
                         f"colocate_with => '{result.colocation_anchor}');")
    for key in result.deferred:
        ondelete = f" ON DELETE {key.ondelete}" if key.ondelete else ""
        lines.append(f"ALTER TABLE {key.table} ADD CONSTRAINT {key.name} FOREIGN KEY "
                     f"({', '.join(key.columns)}) REFERENCES {key.target} ({', '.join(key.target_columns)}){ondelete};")
    lines.append("COMMIT;")
    if result.local:
        lines.append(f"-- Left on the coordinator: {', '.join(result.local)}")
    return "\n".join(lines) + "\n"
