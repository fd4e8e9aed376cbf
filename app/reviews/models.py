"""The quarterly joint performance review of a partnership and its action items (DESIGN section 7)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow

ITEM_STATUSES = ("open", "done", "dropped")
SIDES = ("vendor", "partner")


class Review(TenantScoped, Base):
    """One per partnership and quarter. Live until both sides sign; then `snapshot` (canonical JSON
    of everything shown) and its SHA-256 are stored and the page, API and PDF render from them."""

    __tablename__ = "reviews"

    partner_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))
    agenda: Mapped[str] = mapped_column(Text, default="")
    vendor_notes: Mapped[str] = mapped_column(Text, default="")
    partner_notes: Mapped[str] = mapped_column(Text, default="")
    # metric key -> {value, side, by, at}: the value agreed in the room for a disputed metric.
    settlements: Mapped[dict] = mapped_column(JSON, default=dict)
    opened_by_id: Mapped[uuid.UUID | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    vendor_signed_by_id: Mapped[uuid.UUID | None]
    vendor_signed_by: Mapped[str] = mapped_column(String(254), default="")  # name as signed
    vendor_signed_at: Mapped[datetime | None]
    partner_signed_by_id: Mapped[uuid.UUID | None]
    partner_signed_by: Mapped[str] = mapped_column(String(254), default="")
    partner_signed_at: Mapped[datetime | None]
    snapshot: Mapped[str | None] = mapped_column(Text)  # canonical JSON, exactly the hashed bytes (UTF-8)
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    frozen_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "opened_by_id"], ["memberships.tenant_id", "memberships.id"]),
        ForeignKeyConstraint(["tenant_id", "vendor_signed_by_id"], ["memberships.tenant_id", "memberships.id"]),
        ForeignKeyConstraint(["tenant_id", "partner_signed_by_id"], ["memberships.tenant_id", "memberships.id"]),
        UniqueConstraint("tenant_id", "partner_id", "period"),
        Index("ix_reviews_tenant_period", "tenant_id", "period"),
    )

    @property
    def signed(self) -> bool:
        return self.snapshot_hash is not None

    @property
    def signed_by_vendor(self) -> bool:
        return self.vendor_signed_at is not None

    @property
    def signed_by_partner(self) -> bool:
        return self.partner_signed_at is not None


class ActionItem(TenantScoped, Base):
    """Something one side committed to in a review: owner side and person, due date, status."""

    __tablename__ = "review_action_items"

    review_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(200))
    owner_side: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[uuid.UUID]  # membership of that side
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    metric_key: Mapped[str | None] = mapped_column(String(64))
    carried_from_id: Mapped[uuid.UUID | None]  # the open item of the previous review it continues
    created_by_id: Mapped[uuid.UUID | None]
    reminded_at: Mapped[datetime | None]  # the "due within a week" notice went out
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "review_id"], ["reviews.tenant_id", "reviews.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "owner_id"], ["memberships.tenant_id", "memberships.id"]),
        Index("ix_review_action_items_tenant_review", "tenant_id", "review_id"),
        Index("ix_review_action_items_tenant_owner_status", "tenant_id", "owner_id", "status"),
    )

    @property
    def carried(self) -> bool:
        return self.carried_from_id is not None
