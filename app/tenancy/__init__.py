"""The tenant scope (rule T1): one mechanism that filters every ORM statement by the current tenant.

A `do_orm_execute` listener adds `with_loader_criteria(TenantScoped, tenant_id == current)` to
every ORM select, update and delete, and fails closed when no tenant is set. A `before_flush`
listener stamps `tenant_id` on new rows and refuses rows of another tenant. Administration
commands that must see every tenant say so with `unscoped("why")`, the only escape hatch.
On PostgreSQL the same tenant is also handed to row-level security per transaction.
"""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from app.core.db import TenantScoped

log = logging.getLogger(__name__)


class TenantScopeError(RuntimeError):
    """A tenant-owned table was touched without a tenant, or across tenants."""


@dataclass(frozen=True)
class _Scope:
    tenant_id: uuid.UUID | None = None
    bypass_reason: str | None = None


_scope: ContextVar[_Scope] = ContextVar("tandem_tenant_scope", default=_Scope())


def current_tenant_id() -> uuid.UUID | None:
    """The tenant every query is filtered by, or None."""
    return _scope.get().tenant_id


def set_tenant(tenant_id: uuid.UUID | None):
    """Set the tenant for the rest of this context; returns a token for reset_tenant."""
    return _scope.set(_Scope(tenant_id=tenant_id))


def reset_tenant(token) -> None:
    """Restore the scope that was in force before set_tenant."""
    _scope.reset(token)


@contextmanager
def tenant_scope(tenant_id: uuid.UUID) -> Iterator[None]:
    """Run a block as the given tenant (commands, background work, tests)."""
    token = _scope.set(_Scope(tenant_id=tenant_id))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """The one escape hatch: see every tenant's rows. Say why; it is logged."""
    if not reason:
        raise ValueError("unscoped() needs a reason")
    log.info("tenant scope bypassed: %s", reason)
    token = _scope.set(_Scope(tenant_id=None, bypass_reason=reason))
    try:
        yield
    finally:
        _scope.reset(token)


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    return any(issubclass(m.class_, TenantScoped) for m in state.all_mappers)


@event.listens_for(Session, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    # Lazy and deferred loads inherit the criteria of the statement that loaded the parent.
    if state.is_column_load or state.is_relationship_load:
        return
    scope = _scope.get()
    if scope.bypass_reason:
        return
    if scope.tenant_id is None:
        if _touches_tenant_data(state):
            raise TenantScopeError("tenant-owned data queried with no tenant set")
        return
    tid = scope.tenant_id
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tid, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_and_check_tenant(session: Session, flush_context, instances) -> None:
    scope = _scope.get()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if scope.tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} with no tenant set")
            obj.tenant_id = scope.tenant_id
        elif scope.tenant_id is not None and obj.tenant_id != scope.tenant_id:
            raise TenantScopeError(f"new {type(obj).__name__} belongs to another tenant")
        elif scope.tenant_id is None and not scope.bypass_reason:
            raise TenantScopeError(f"new {type(obj).__name__} written with no tenant set")
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, TenantScoped) and scope.tenant_id is not None and obj.tenant_id != scope.tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} of another tenant changed")


def _sync_postgres_scope(connection) -> None:
    # Row-level security (T4) reads app.current_tenant; is_local=true gives SET LOCAL semantics,
    # so the value ends with the transaction and is set again when the scope changes inside it.
    scope = _scope.get()
    wanted = (scope.tenant_id, bool(scope.bypass_reason))
    if connection.info.get("tandem_scope") == wanted or connection.info.get("tandem_syncing"):
        return
    connection.info["tandem_syncing"] = True  # the statement below passes through here too
    try:
        connection.execute(
            text("select set_config('app.current_tenant', :t, true), set_config('app.bypass_rls', :b, true)"),
            {"t": str(scope.tenant_id) if scope.tenant_id else "", "b": "on" if scope.bypass_reason else "off"},
        )
    finally:
        connection.info["tandem_syncing"] = False
    connection.info["tandem_scope"] = wanted


@event.listens_for(Engine, "before_execute")
def _scope_every_statement(conn, clauseelement, multiparams, params, execution_options) -> None:
    # Every statement on PostgreSQL, ORM or Core or raw driver SQL, runs with the current scope.
    if conn.dialect.name == "postgresql":
        _sync_postgres_scope(conn)


@event.listens_for(Engine, "begin")
@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_scope(conn) -> None:
    # SET LOCAL values end with the transaction; the next statement sets them again.
    conn.info.pop("tandem_scope", None)


def keep_scope(iterator):
    """Wrap a streamed response body so it runs in the tenant scope of the request that made it.

    The scope is set around each step only, never across a yield: a body abandoned half-way
    (a client that hangs up) must not leave its tenant set in whatever context resumes next.
    """
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantScopeError("a streamed body needs a tenant")
    iterator = iter(iterator)

    def generate():
        while True:
            token = _scope.set(_Scope(tenant_id=tenant_id))
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                _scope.reset(token)
            yield chunk

    return generate()
