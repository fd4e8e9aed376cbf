"""Opportunities on shared accounts and partners' deal registrations (DESIGN 7a)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped


class Opportunity(TenantScoped, Base):
    """A cross-sell, upsell, renewal or services opportunity on one account.

    `side` is who created it; `partner_id` the partnership it belongs to (the creating partner, or
    the partnership a vendor opportunity names; NULL for the vendor's own direct opportunities).
    """

    __tablename__ = "opportunities"

    account_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID | None]
    side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    created_by_id: Mapped[uuid.UUID | None]  # membership (no FK: people leave, the record stays)
    kind: Mapped[str] = mapped_column(String(16))
    product: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(15, 2))
    currency: Mapped[str] = mapped_column(String(3))
    expected_close: Mapped[date] = mapped_column(Date)
    close_quarter: Mapped[str] = mapped_column(String(7))  # of expected_close, so the pipeline groups in SQL
    stage: Mapped[str] = mapped_column(String(32))
    stage_outcome: Mapped[str] = mapped_column(String(8), default="open")  # open | won | lost
    next_step: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_opportunities_tenant_partner_stage", "tenant_id", "partner_id", "stage"),
        Index("ix_opportunities_tenant_account", "tenant_id", "account_id"),
    )


class DealRegistration(TenantScoped, Base):
    """A partner's claim of protection for one of its opportunities; one per opportunity."""

    __tablename__ = "deal_registrations"

    opportunity_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]
    domain: Mapped[str | None] = mapped_column(String(253))  # the account's, for cross-partner checks
    status: Mapped[str] = mapped_column(String(12), default="pending")
    check_outcome: Mapped[str] = mapped_column(String(12))  # clear | conflict (the latest check)
    check: Mapped[dict] = mapped_column(JSON, default=dict)  # rules.CheckResult.as_json()
    submitted_by_id: Mapped[uuid.UUID | None]
    submitted_at: Mapped[datetime]
    decision_due: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    protected_until: Mapped[date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None]  # win, loss or recorded expiry
    overdue_notified_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "opportunity_id"),
        ForeignKeyConstraint(["tenant_id", "opportunity_id"], ["opportunities.tenant_id", "opportunities.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], ondelete="CASCADE"),
        Index("ix_deal_registrations_tenant_partner_status", "tenant_id", "partner_id", "status"),
        Index("ix_deal_registrations_tenant_domain", "tenant_id", "domain"),
    )
