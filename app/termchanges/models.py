"""Requests to change a partnership's commercial terms mid-term, answered by the other side."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

KINDS = ("agreement_terms", "tier_position", "margin_exception", "named_contact")
KIND_LABELS = {"agreement_terms": "Agreement targets and weights", "tier_position": "Tier position",
               "margin_exception": "Margin exception", "named_contact": "Named channel manager"}
STATUSES = ("pending", "accepted", "declined", "countered")


class TermChange(TenantScoped, Base):
    """One side's proposed change; `payload` holds what would be applied, by kind:

    agreement_terms {metrics: [{key, direction, target, floor, weight}]}; tier_position {tier};
    margin_exception {margin_pct}; named_contact {channel_manager_id}.
    """

    __tablename__ = "term_changes"

    partner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(24))
    period: Mapped[str | None] = mapped_column(String(7))
    payload: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(8))  # vendor | partner
    proposed_by_id: Mapped[uuid.UUID]  # membership
    status: Mapped[str] = mapped_column(String(16), default="pending")
    counter_of_id: Mapped[uuid.UUID | None]
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    applied_object_id: Mapped[str | None] = mapped_column(String(36))  # the agreement / close / partner changed
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "proposed_by_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        Index("ix_term_changes_tenant_partner_status", "tenant_id", "partner_id", "status"),
    )
