"""The tenant's tier programme and each partner's quarter-close results (its margin history)."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow
from app.tiers import rules


class TierProgram(TenantScoped, Base):
    """One per tenant: ordered tiers [{name, min_score, base_margin_pct, bonus_margin_pct}] as exact strings."""

    __tablename__ = "tier_programs"

    tiers: Mapped[list] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("tenant_id"),)


class QuarterClose(TenantScoped, Base):
    """The close of one quarter for one partner: the tier and margin that apply to the next quarter.

    `tier_before` and `previous_status` are the inputs of the close, kept so that closing the
    same quarter again computes from the same starting point (idempotent).
    """

    __tablename__ = "quarter_closes"

    partner_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))
    applies_to: Mapped[str] = mapped_column(String(7))
    agreement_id: Mapped[uuid.UUID]
    health_score: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    qualified_tier: Mapped[str] = mapped_column(String(64))
    assigned_tier: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    margin_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    tier_before: Mapped[str | None] = mapped_column(String(64))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[uuid.UUID | None]
    override_tier: Mapped[str | None] = mapped_column(String(64))
    override_margin_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by_id: Mapped[uuid.UUID | None]
    overridden_at: Mapped[datetime | None]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "partner_id", "period"),
        Index("ix_quarter_closes_tenant_period", "tenant_id", "period"),
    )

    @property
    def effective_tier(self) -> str:
        return rules.effective_tier(self.override_tier, self.assigned_tier)

    @property
    def effective_margin(self) -> Decimal:
        return rules.effective_margin(self.override_margin_pct, self.margin_pct)
