"""Append-only audit events, hash-chained per tenant (rule T5)."""
from __future__ import annotations

import uuid

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped


class AuditEvent(TenantScoped, Base):
    __tablename__ = "audit_events"

    seq: Mapped[int]
    actor_id: Mapped[uuid.UUID | None]
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("tenant_id", "seq"),
        # One object's latest events (the partner page's recent activity) without walking the chain.
        Index("ix_audit_events_tenant_object", "tenant_id", "object_id", "seq"),
    )
