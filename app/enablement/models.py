"""Touch plans (a partner's touchpoints per quarter), logged touches, courses and completions."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKeyConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped


class TouchPlan(TenantScoped, Base):
    """One partner's plan for one quarter, generated once from its band at that time: a later band
    change shapes the next quarter's plan, never this one."""

    __tablename__ = "touch_plans"

    partner_id: Mapped[uuid.UUID]
    period: Mapped[str] = mapped_column(String(7))
    band: Mapped[str | None] = mapped_column(String(16))  # the IPP band it was made from (None: unassessed)
    touch_model: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id", "period"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )


class Touchpoint(TenantScoped, Base):
    """A touch due in a plan; `done_on` is set by the touch that fulfils it."""

    __tablename__ = "touchpoints"

    plan_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]  # the plan's, so coverage groups without joining plans
    kind: Mapped[str] = mapped_column(String(32))
    due: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "plan_id"], ["touch_plans.tenant_id", "touch_plans.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_touchpoints_tenant_partner_due", "tenant_id", "partner_id", "due"),
        Index("ix_touchpoints_tenant_plan", "tenant_id", "plan_id"),
    )


class Touch(TenantScoped, Base):
    """A touch logged by either side, with notes; it may fulfil one touchpoint."""

    __tablename__ = "touches"

    partner_id: Mapped[uuid.UUID]
    touchpoint_id: Mapped[uuid.UUID | None]
    side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    kind: Mapped[str] = mapped_column(String(32))
    happened_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    logged_by_id: Mapped[uuid.UUID | None]  # membership (no FK: people leave, the record stays)

    __table_args__ = (
        UniqueConstraint("tenant_id", "touchpoint_id"),  # a touchpoint is fulfilled once
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "touchpoint_id"], ["touchpoints.tenant_id", "touchpoints.id"],
                             ondelete="SET NULL"),
        Index("ix_touches_tenant_partner_day", "tenant_id", "partner_id", "happened_on"),
    )


class Course(TenantScoped, Base):
    """A course or a certification the vendor offers; a certification may lapse after valid_months.
    A retired course (`active` False) takes no new completions and keeps the ones it has."""

    __tablename__ = "courses"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # course | certification
    valid_months: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)


class Completion(TenantScoped, Base):
    """A partner staff member completed a course or earned a certification on a date."""

    __tablename__ = "completions"

    partner_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID]
    membership_id: Mapped[uuid.UUID]
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[uuid.UUID | None]
    expiry_notified_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("tenant_id", "course_id", "membership_id", "completed_on"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "course_id"], ["courses.tenant_id", "courses.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        Index("ix_completions_tenant_partner", "tenant_id", "partner_id", "expires_on"),
    )
