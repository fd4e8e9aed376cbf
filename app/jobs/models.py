"""A job: long work run by the worker (huey) for one tenant, with its progress and outcome."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

KINDS = ("accounts.import", "tiers.close_all", "reviews.pdf_pack", "mail.send", "mail.link")
STATES = ("queued", "running", "succeeded", "failed", "cancelled")
ACTIVE = ("queued", "running")
PHASES = ("queued", "reading", "checking", "writing", "done")


class Job(TenantScoped, Base):
    """One unit of background work: who started it, what it is, how far it got and how it ended."""

    __tablename__ = "jobs"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "started_by_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "owner_partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        Index("ix_jobs_tenant_created", "tenant_id", "created_at"),
        Index("ix_jobs_tenant_state", "tenant_id", "state"),
    )

    started_by_id: Mapped[uuid.UUID]
    # The partner side the job works for (a partner user's import); None for the vendor's own work.
    owner_partner_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default="queued")
    phase: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    errors_found: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The full error report: {"message": ..., "rows": [{row, field, message}, ...]} for an import.
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    file_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE
