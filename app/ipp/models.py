"""IPP profile versions, assessments against them, and the per-partner sharing setting."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow

KINDS = ("vendor", "self")
STATUSES = ("draft", "final")


class IppProfile(TenantScoped, Base):
    """One version of an IPP: a family (`family_id`) holds versions 1, 2, ...

    The API calls a version a "profile" (DESIGN section 9); assessments point at a version, so a
    version that has assessments is never changed: editing it creates the next version.
    """

    __tablename__ = "ipp_profiles"

    family_id: Mapped[uuid.UUID]
    number: Mapped[int]  # the version number within the family
    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list] = mapped_column(JSON)  # section-9 criterion dicts, numbers as strings
    created_by_id: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "family_id", "number"),
        ForeignKeyConstraint(["tenant_id", "created_by_id"], ["memberships.tenant_id", "memberships.id"]),
    )


class IppAssessment(TenantScoped, Base):
    """A vendor's or a partner's own answers against one profile version, with its scores."""

    __tablename__ = "ipp_assessments"

    partner_id: Mapped[uuid.UUID]
    profile_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # key -> bool | int | str
    # Computed by app.ipp.scoring at every save; only final assessments rank.
    fit_score: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    band: Mapped[str | None] = mapped_column(String(16))
    coverage: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    touch_model: Mapped[str | None] = mapped_column(String(16))
    knockout_failed: Mapped[list] = mapped_column(JSON, default=list)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # key -> score string or None
    # The latest final assessment of its partner and kind: what the partner page and ranking use.
    is_current: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finalised_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "profile_id"], ["ipp_profiles.tenant_id", "ipp_profiles.id"]),
        ForeignKeyConstraint(["tenant_id", "author_id"], ["memberships.tenant_id", "memberships.id"]),
        Index("ix_ipp_assessments_tenant_partner", "tenant_id", "partner_id", "kind", "status"),
        Index("ix_ipp_assessments_tenant_current", "tenant_id", "is_current", "kind", "fit_score"),
        Index("ix_ipp_assessments_tenant_profile", "tenant_id", "profile_id"),
        # At most one current assessment and one open draft per partner and kind, even when two
        # people finish at the same moment (partial unique indexes, on both backends).
        Index("uq_ipp_assessments_one_current", "tenant_id", "partner_id", "kind", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
        Index("uq_ipp_assessments_one_draft", "tenant_id", "partner_id", "kind", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )


class IppPartnerSettings(TenantScoped, Base):
    """Per partner, owned by the vendor: may the partner see the vendor's full assessment?"""

    __tablename__ = "ipp_partner_settings"

    partner_id: Mapped[uuid.UUID]
    share_vendor_assessment: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
    )
