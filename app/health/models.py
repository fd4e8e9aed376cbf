"""Metric catalogue, joint agreements per partnership and quarter, and measurements."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow

AGREEMENT_STATUSES = ("proposed", "accepted", "superseded")
SIDES = ("vendor", "partner")


class MetricDefinition(TenantScoped, Base):
    """A measure in the tenant's catalogue, with the defaults a new agreement starts from."""

    __tablename__ = "health_metrics"

    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(32), default="")
    default_target: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    default_floor: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    default_weight: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    custom: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (UniqueConstraint("tenant_id", "key"),)


class Agreement(TenantScoped, Base):
    """One proposal of metrics for a partnership and quarter; a counter-proposal is a new row.

    `terms` is the list of {key, direction, target, floor, weight} with numbers as exact strings;
    a proposal never changes after it is made, only its status does.
    """

    __tablename__ = "health_agreements"

    partner_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    terms: Mapped[list] = mapped_column(JSON)
    proposed_by: Mapped[str] = mapped_column(String(8))  # 'vendor' or 'partner'
    proposed_by_id: Mapped[uuid.UUID | None]  # membership
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaces_id: Mapped[uuid.UUID | None]  # the proposal this one counters or copies
    note: Mapped[str] = mapped_column(Text, default="")
    accepted_by_id: Mapped[uuid.UUID | None]
    accepted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        Index("ix_health_agreements_tenant_period_status", "tenant_id", "period", "status"),
        Index("ix_health_agreements_tenant_partner_period", "tenant_id", "partner_id", "period"),
        # Proposals waiting for one side, oldest first (the health dashboard), without reading
        # every agreement of the tenant.
        Index("ix_health_agreements_tenant_waiting", "tenant_id", "status", "proposed_by", "proposed_at"),
    )


class Measurement(TenantScoped, Base):
    """The value of one metric for a partner and quarter; the latest entry counts."""

    __tablename__ = "health_measurements"

    partner_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))
    metric_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[Decimal] = mapped_column(Numeric(24, 6))
    source: Mapped[str] = mapped_column(String(120), default="")
    side: Mapped[str] = mapped_column(String(8))  # who recorded it: 'vendor' or 'partner'
    author_id: Mapped[uuid.UUID | None]  # membership
    agreement_id: Mapped[uuid.UUID | None]  # the agreement it was recorded against
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "period", "partner_id", "metric_key"),
    )
