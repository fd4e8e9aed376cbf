"""Channel partner organisations inside a tenant."""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

PARTNER_STATUSES = ("prospect", "active", "suspended", "former")
REGIONS = ("emea", "na", "latam", "apac")
REGION_LABELS = {"emea": "EMEA", "na": "North America", "latam": "Latin America", "apac": "APAC"}
SEGMENTS = ("smb", "mid_market", "enterprise")
SEGMENT_LABELS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise"}


class Partner(TenantScoped, Base):
    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Tier name within the tenant's tier programme; None until a programme places the partner.
    tier: Mapped[str | None] = mapped_column(String(64))
    channel_manager_id: Mapped[uuid.UUID | None]
    region: Mapped[str | None] = mapped_column(String(16))
    segments: Mapped[list] = mapped_column(JSON, default=list)
    certifications: Mapped[list] = mapped_column(JSON, default=list)
    services_revenue_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "channel_manager_id"],
            ["memberships.tenant_id", "memberships.id"],
            use_alter=True,
        ),
        Index("ix_partners_tenant_name", "tenant_id", "name"),
    )


class RegionAssignment(TenantScoped, Base):
    """A vendor membership assigned to one region (`Partner.region`): the partners of its regions
    are a CS Development Manager's book (issue 14). Managed by vendor admins."""
    __tablename__ = "csdm_regions"

    membership_id: Mapped[uuid.UUID]
    region: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "membership_id", "region"),
    )
