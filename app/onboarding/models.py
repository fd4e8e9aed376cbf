"""Onboarding checklists (issue 14): a per-tenant template, and each partner's checklist made from it."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

# What the system can see done by itself: such an item shows "detected" with the evidence, and a
# person still ticks it (never silently, like suggested IPP answers).
DETECTORS = ("commplan", "self_assessment", "agreement", "review")
DETECTOR_LABELS = {
    "commplan": "a communication plan with a contact exists",
    "self_assessment": "the partner's first final self-assessment exists",
    "agreement": "a metrics agreement was accepted",
    "review": "a joint review was signed by both sides",
}
# A new tenant's template (DESIGN, issue 14): key, title, detector.
DEFAULT_ITEMS = (
    ("kick_off", "Kick-off meeting", None),
    ("communication_plan", "Communication plan agreed", "commplan"),
    ("first_self_assessment", "First self-assessment", "self_assessment"),
    ("first_agreement", "First metrics agreement accepted", "agreement"),
    ("first_qbr", "First quarterly joint review signed", "review"),
)
TITLE_MAX = 200


class OnboardingTemplateItem(TenantScoped, Base):
    """One step of the tenant's onboarding template; removed steps stay for the checklists made with them."""

    __tablename__ = "onboarding_template_items"

    key: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    detector: Mapped[str | None] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)


class OnboardingItem(TenantScoped, Base):
    """One step of one partner's checklist, copied from the template when onboarding starts."""

    __tablename__ = "onboarding_items"

    partner_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    detector: Mapped[str | None] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[uuid.UUID | None]  # membership that ticked it
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id", "key"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_onboarding_items_tenant_partner", "tenant_id", "partner_id"),
    )
