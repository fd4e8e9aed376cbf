"""Enhancement requests filed by partners, their supporters, affected accounts, use cases and timeline."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow

STATUSES = ("new", "under_review", "needs_use_cases", "planned", "shipped", "declined")
STATUS_LABELS = {"new": "New", "under_review": "Under review", "needs_use_cases": "Needs use cases",
                 "planned": "Planned", "shipped": "Shipped", "declined": "Declined"}
CLOSED_STATUSES = ("shipped", "declined")
URGENCIES = ("low", "medium", "high", "critical")


class EnhancementRequest(TenantScoped, Base):
    """A partner's request for a product change; the filing partner is also its first supporter."""

    __tablename__ = "enhancement_requests"

    partner_id: Mapped[uuid.UUID]  # the partner that filed it
    filed_by_id: Mapped[uuid.UUID]  # membership
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), default="new")
    target_quarter: Mapped[str | None] = mapped_column(String(7))
    release_note: Mapped[str] = mapped_column(Text, default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "filed_by_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        Index("ix_enhancement_requests_tenant_status", "tenant_id", "status"),
    )


class EnhancementSupport(TenantScoped, Base):
    """One partner's support of a request (the filer's own row has is_requester); one per partner."""

    __tablename__ = "enhancement_supports"

    request_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]
    membership_id: Mapped[uuid.UUID]  # who added the support (notified of status changes)
    is_requester: Mapped[bool] = mapped_column(default=False)
    affected_count: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        UniqueConstraint("tenant_id", "request_id", "partner_id"),
        ForeignKeyConstraint(["tenant_id", "request_id"], ["enhancement_requests.tenant_id", "enhancement_requests.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        Index("ix_enhancement_supports_tenant_partner", "tenant_id", "partner_id"),
    )


class EnhancementAccount(TenantScoped, Base):
    """An account of the supporting partner that the request affects (only its own accounts)."""

    __tablename__ = "enhancement_accounts"

    request_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]
    account_id: Mapped[uuid.UUID]

    __table_args__ = (
        UniqueConstraint("tenant_id", "request_id", "account_id"),
        ForeignKeyConstraint(["tenant_id", "request_id"], ["enhancement_requests.tenant_id", "enhancement_requests.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )


class UseCase(TenantScoped, Base):
    """A use case written on a request by either side: given/when/then, or free text."""

    __tablename__ = "enhancement_use_cases"

    request_id: Mapped[uuid.UUID]
    author_side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    author_id: Mapped[uuid.UUID]  # membership
    author_partner_id: Mapped[uuid.UUID | None]
    given: Mapped[str] = mapped_column(Text, default="")
    when: Mapped[str] = mapped_column(Text, default="")
    then: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "request_id"], ["enhancement_requests.tenant_id", "enhancement_requests.id"],
                             ondelete="CASCADE"),
        Index("ix_enhancement_use_cases_tenant_request", "tenant_id", "request_id"),
    )

    @property
    def structured(self) -> bool:
        return bool(self.given or self.when or self.then)


class StatusEvent(TenantScoped, Base):
    """The request's timeline: filing and every status change, with the note that came with it."""

    __tablename__ = "enhancement_events"

    request_id: Mapped[uuid.UUID]
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    actor_side: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[uuid.UUID | None]  # membership

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "request_id"], ["enhancement_requests.tenant_id", "enhancement_requests.id"],
                             ondelete="CASCADE"),
        Index("ix_enhancement_events_tenant_request", "tenant_id", "request_id"),
    )
