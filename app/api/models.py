"""Stored answers of API POSTs sent with an Idempotency-Key."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped


class IdempotencyKey(TenantScoped, Base):
    """One (token, key): the request's fingerprint and the answer given, replayed until expires_at."""

    __tablename__ = "idempotency_keys"

    token_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    expires_at: Mapped[datetime]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "token_id"], ["api_tokens.tenant_id", "api_tokens.id"], ondelete="CASCADE"),
        # Insert-first: of two concurrent requests with one key, the second waits on this index
        # and then fails, so the work runs once.
        UniqueConstraint("tenant_id", "token_id", "key"),
        Index("ix_idempotency_keys_tenant_expires", "tenant_id", "expires_at"),
    )
