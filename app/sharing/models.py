"""Sharing settings per partnership and direction, and requests for more data (DESIGN §4)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

# Levels and their rows live with the accounts they govern (app.accounts.models); named here too.
from app.accounts.models import (  # noqa: F401
    DEFAULT_LEVELS, DIRECTIONS, LEVELS, PARTNER_TO_VENDOR, VENDOR_TO_PARTNER, SharingSetting,
)
from app.core.db import Base, TenantScoped

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
