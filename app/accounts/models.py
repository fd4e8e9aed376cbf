"""Accounts (customer companies) owned by the vendor or one partner, their insights, imports,
assignments to partnerships and channel-conflict resolutions (DESIGN §3)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, Date, ForeignKeyConstraint, Index, Integer, Numeric, String, UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from app.accounts.levels import (  # noqa: F401  (the levels belong with their rows)
    DEFAULT_LEVELS, DIRECTIONS, LEVEL_LABELS, LEVELS, PARTNER_TO_VENDOR, VENDOR_TO_PARTNER,
)
from app.core.db import Base, TenantScoped

VENDOR_OWNER = "vendor"  # owner_key of vendor-owned accounts; partner-owned ones use the partner id


def owner_key_for(partner_id: uuid.UUID | None) -> str:
    """The non-null owner key: 'vendor' or the partner id (NULL would defeat the unique key)."""
    return VENDOR_OWNER if partner_id is None else str(partner_id)


class owner_key_of(FunctionElement):
    """`owner_key_for` in SQL: a partner id column as the owner key of its accounts spells it
    (lower-case hex with hyphens), so a query over many partners can walk their accounts by the
    unique key (tenant_id, owner_key, domain) instead of scanning for owner_partner_id."""
    type = String()
    name = "owner_key_of"
    inherit_cache = True


@compiles(owner_key_of)
def _owner_key_of(element, compiler, **kw):  # PostgreSQL: uuid as text is already that spelling
    return f"CAST({compiler.process(element.clauses, **kw)} AS VARCHAR)"


@compiles(owner_key_of, "sqlite")
def _owner_key_of_sqlite(element, compiler, **kw):  # a Uuid is stored as 32 lower-case hex digits
    x = compiler.process(element.clauses, **kw)
    return (f"(substr({x}, 1, 8) || '-' || substr({x}, 9, 4) || '-' || substr({x}, 13, 4) || '-' || "
            f"substr({x}, 17, 4) || '-' || substr({x}, 21, 12))")


class Account(TenantScoped, Base):
    """A customer company; unique per owner by normalised domain."""

    __tablename__ = "accounts"

    owner_key: Mapped[str] = mapped_column(String(36))
    owner_partner_id: Mapped[uuid.UUID | None]
    name: Mapped[str] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(253))
    employees: Mapped[int | None] = mapped_column(Integer)
    industry: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    arr: Mapped[Decimal | None] = mapped_column(Numeric(15, 2))
    renewal_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str | None] = mapped_column(String(200))
    segment: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "owner_key", "domain"),
        ForeignKeyConstraint(["tenant_id", "owner_partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        Index("ix_accounts_tenant_domain", "tenant_id", "domain"),
        Index("ix_accounts_tenant_owner_name", "tenant_id", "owner_key", "name"),
        Index("ix_accounts_tenant_name", "tenant_id", "name"),
    )

    @property
    def is_vendor_owned(self) -> bool:
        return self.owner_partner_id is None


class AccountAssignment(TenantScoped, Base):
    """A vendor account the vendor assigned to one partnership (what `full` sharing hands over)."""

    __tablename__ = "account_assignments"

    account_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]

    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id", "partner_id"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
        Index("ix_account_assignments_tenant_partner", "tenant_id", "partner_id"),
    )


class AccountImport(TenantScoped, Base):
    """One CSV import: who, when, which file, how many rows, and how it ended."""

    __tablename__ = "account_imports"

    owner_key: Mapped[str] = mapped_column(String(36))
    owner_partner_id: Mapped[uuid.UUID | None]
    user_id: Mapped[uuid.UUID | None]
    user_email: Mapped[str] = mapped_column(String(254), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # imported | rejected
    errors: Mapped[list] = mapped_column(JSON, default=list)  # first MAX_STORED_ERRORS {row, field, message}
    error_count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "owner_partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        Index("ix_account_imports_tenant_owner_created", "tenant_id", "owner_key", "created_at"),
    )


class Insight(TenantScoped, Base):
    """Something one side learnt about an account; the author's side decides who may read it."""

    __tablename__ = "insights"

    account_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    author_membership_id: Mapped[uuid.UUID | None]
    author_name: Mapped[str] = mapped_column(String(254), default="")
    author_side: Mapped[str] = mapped_column(String(8))  # vendor | partner
    author_partner_id: Mapped[uuid.UUID | None]

    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "author_partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
        Index("ix_insights_tenant_account_kind", "tenant_id", "account_id", "kind"),
    )


class ConflictResolution(TenantScoped, Base):
    """The vendor's decision on a domain two or more partners claim as partner-led."""

    __tablename__ = "channel_conflict_resolutions"

    domain: Mapped[str] = mapped_column(String(253))
    resolution: Mapped[str] = mapped_column(String(16))  # partner | co_sell | vendor_led
    owner_partner_id: Mapped[uuid.UUID | None]
    note: Mapped[str] = mapped_column(String(500), default="")
    resolved_by: Mapped[str] = mapped_column(String(254), default="")
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "domain"),
        ForeignKeyConstraint(["tenant_id", "owner_partner_id"], ["partners.tenant_id", "partners.id"],
                             ondelete="CASCADE"),
    )


# --- sharing levels: how much of its accounts one side shows the other (DESIGN section 4) ---

class SharingSetting(TenantScoped, Base):
    """One direction of one partnership; no row means the default level."""

    __tablename__ = "sharing_settings"

    partner_id: Mapped[uuid.UUID]
    direction: Mapped[str] = mapped_column(String(24))
    level: Mapped[str] = mapped_column(String(16))
    fields: Mapped[list] = mapped_column(JSON, default=list)  # account fields and insight kinds for `fields`
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "partner_id", "direction"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )
