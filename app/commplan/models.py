"""The communication plan of a partnership: contacts per side, meetings with next dates, channels."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

CONTACT_ROLES = ("executive_sponsor", "channel_manager", "cs_lead", "technical_lead", "billing")
CONTACT_ROLE_LABELS = {"executive_sponsor": "Executive sponsor", "channel_manager": "Channel manager",
                       "cs_lead": "Customer-success lead", "technical_lead": "Technical lead", "billing": "Billing"}
MEETING_KINDS = ("qbr", "monthly_ops", "executive_review", "other")
MEETING_LABELS = {"qbr": "Quarterly business review", "monthly_ops": "Monthly operations call",
                  "executive_review": "Executive review", "other": "Other meeting"}
CADENCES = ("weekly", "fortnightly", "monthly", "quarterly", "half_yearly", "yearly")
CHANNELS = ("email", "video_call", "phone", "chat", "portal", "in_person")
CHANNEL_LABELS = {"email": "E-mail", "video_call": "Video call", "phone": "Phone", "chat": "Chat",
                  "portal": "This portal", "in_person": "In person"}


class CommPlan(TenantScoped, Base):
    """One per partnership: preferred channels and when the plan was last reviewed together."""

    __tablename__ = "comm_plans"

    partner_id: Mapped[uuid.UUID]
    channels: Mapped[list] = mapped_column(JSON, default=list)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[uuid.UUID | None]  # membership
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )


class CommContact(TenantScoped, Base):
    """A named person on one side of the partnership with their role in the relationship."""

    __tablename__ = "comm_contacts"

    partner_id: Mapped[uuid.UUID]
    side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_comm_contacts_tenant_partner", "tenant_id", "partner_id"),
    )


class CommMeeting(TenantScoped, Base):
    """A recurring meeting of the partnership (QBR, monthly ops call...) and its next date."""

    __tablename__ = "comm_meetings"

    partner_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(24))
    cadence: Mapped[str] = mapped_column(String(16))
    next_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_comm_meetings_tenant_partner", "tenant_id", "partner_id"),
    )
