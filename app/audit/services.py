"""Writing and verifying the per-tenant hash chain of audit events."""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timezone
from types import SimpleNamespace
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.core.db import utcnow
from app.core.serialize import jsonable
from app.extensions import db
from app.tenancy import current_tenant_id, tenant_scope
from app.tenants.models import Tenant

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "tenant_id": str(event.tenant_id),
        "seq": event.seq,
        "created_at": event.created_at.astimezone(timezone.utc).isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    """The SHA-256 that links this event to the one before it."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def _current_actor() -> tuple[uuid.UUID | None, str]:
    actor = getattr(g, "actor", None) if has_request_context() else None
    if actor is not None:
        return actor.user.id, actor.user.email
    label = getattr(g, "audit_actor", None) if has_request_context() else None
    return None, label or "system"


def actor_of(membership) -> tuple[uuid.UUID | None, str] | None:
    """The person behind a membership as an event's actor, for commands and demo seeders acting for
    someone (outside a request); None inside a request, whose signed-in actor is recorded anyway."""
    if membership is None or (has_request_context() and getattr(g, "actor", None) is not None):
        return None
    email = db.session.scalar(select(User.email).where(User.id == membership.user_id))
    return (membership.user_id, email) if email else None


def _append(events: list[dict], actor: tuple[uuid.UUID | None, str] | None = None) -> list[dict]:
    """The chain's one append sequence: lock the tenant's chain, read its last link, then give each
    event (action, object_type, object_id, summary, before, after) its place and hash, in order."""
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise RuntimeError("audit events need a tenant")
    # Serialise writers per tenant so two events never claim the same place in the chain.
    db.session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    actor_id, actor_label = actor or _current_actor()
    now = utcnow().replace(microsecond=0)
    rows = []
    for e in events:
        seq += 1
        row = {"tenant_id": tenant_id, "id": uuid.uuid4(), "seq": seq, "created_at": now, "actor_id": actor_id,
               "actor": actor_label, "action": e["action"], "object_type": e["object_type"],
               "object_id": str(e["object_id"]), "summary": (e.get("summary") or "")[:300],
               "before": jsonable(e["before"]) if e.get("before") is not None else None,
               "after": jsonable(e["after"]) if e.get("after") is not None else None, "prev_hash": prev}
        # event_hash reads attributes only; a namespace spares building thousands of ORM objects.
        prev = row["hash"] = event_hash(SimpleNamespace(**row))
        rows.append(row)
    return rows


def record(action: str, obj: Any = None, *, object_type: str | None = None, object_id: Any = None,
           before: dict | None = None, after: dict | None = None, summary: str = "",
           actor: tuple[uuid.UUID | None, str] | None = None) -> AuditEvent:
    """Append one event to the current tenant's chain (flushes, never commits)."""
    tenant_id = current_tenant_id()
    (row,) = _append([{
        "action": action,
        "object_type": object_type or (type(obj).__name__.lower() if obj is not None else "tenant"),
        "object_id": object_id if object_id is not None else getattr(obj, "id", tenant_id),
        "summary": summary, "before": before, "after": after,
    }], actor)
    event = AuditEvent(**row)
    db.session.add(event)
    db.session.flush()
    return event


def record_many(events: list[dict]) -> None:
    """Append many events to the tenant's chain in one executemany (the same links as record()).

    Each dict holds action, object_type, object_id, summary, before, after. Core statements set
    tenant_id themselves (the row dicts carry it).
    """
    if events:
        db.session.connection().execute(AuditEvent.__table__.insert(), _append(events))


@dataclass
class ChainReport:
    events: int
    broken_at: int | None = None
    reason: str = ""
    event: str = ""  # the broken event: id, action and object, so a person can find it

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(tenant_id: uuid.UUID) -> ChainReport:
    """Walk a tenant's chain in order and report the first broken link."""
    expected_prev = GENESIS
    count = 0
    with tenant_scope(tenant_id):
        # populate_existing: judge what the database holds, never a copy cached in this session.
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)
                                  .execution_options(populate_existing=True)).yield_per(1000)
        for expected_seq, event in enumerate(rows, start=1):
            count += 1
            named = f"id {event.id}, {event.action} {event.object_type} {event.object_id}"
            if event.seq != expected_seq:
                return ChainReport(count, event.seq, f"sequence gap: expected {expected_seq}", named)
            if event.prev_hash != expected_prev:
                return ChainReport(count, event.seq, "previous-hash link does not match", named)
            if event_hash(event) != event.hash:
                return ChainReport(count, event.seq, "event content does not match its hash", named)
            expected_prev = event.hash
    return ChainReport(count)
