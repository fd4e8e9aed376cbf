"""One notice addressed to one membership."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped


class Notification(TenantScoped, Base):
    """A notice for one person in one tenant; read_at is set when they have seen it."""

    __tablename__ = "notifications"

    membership_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(40), default="general")
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))  # a path inside the portal
    read_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        Index("ix_notifications_tenant_membership_read", "tenant_id", "membership_id", "read_at"),
    )
