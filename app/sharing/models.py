"""Sharing settings per partnership and direction, and requests for more data (DESIGN §4)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

VENDOR_TO_PARTNER = "vendor_to_partner"
PARTNER_TO_VENDOR = "partner_to_vendor"
DIRECTIONS = (VENDOR_TO_PARTNER, PARTNER_TO_VENDOR)
LEVELS = ("none", "counts", "overlaps", "fields", "full")
DEFAULT_LEVELS = {VENDOR_TO_PARTNER: "overlaps", PARTNER_TO_VENDOR: "counts"}


class SharingSetting(TenantScoped, Base):
    """One direction of one partnership; no row means the default level."""

    __tablename__ = "sharing_settings"

    partner_id: Mapped[uuid.UUID]
    direction: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list] = mapped_column(JSON, default=list)  # account fields and insight kinds for `fields`
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id", "direction"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )


class DataRequest(TenantScoped, Base):
    """A side that sees only counts asks the other side to share more; accepted or declined."""

    __tablename__ = "data_requests"

    partner_id: Mapped[uuid.UUID]
    direction: Mapped[str] = mapped_column(String(24))  # the direction whose level would change
    requested_level: Mapped[str] = mapped_column(String(16))
    requested_by_side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    requested_by: Mapped[str] = mapped_column(String(254), default="")
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | accepted | declined
    decided_by: Mapped[str | None] = mapped_column(String(254))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_data_requests_tenant_partner_status", "tenant_id", "partner_id", "status"),
    )
