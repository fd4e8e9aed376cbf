"""SSO connections: one OpenID Connect provider per organisation (the workspace, or one partner)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped

WORKSPACE = "workspace"  # the owner key of the vendor staff's connection


class SsoConnection(TenantScoped, Base):
    """The workspace's provider (partner_id None, for vendor staff) or one partner's (its staff)."""

    __tablename__ = "sso_connections"

    partner_id: Mapped[uuid.UUID | None]
    # "workspace" or the partner's id: one connection per organisation, which NULL cannot enforce.
    owner: Mapped[str] = mapped_column(String(36))
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    # Sealed with app.sso.sealed (never the plain secret); write through services.set_secret.
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    jit_enabled: Mapped[bool] = mapped_column(default=False)
    jit_role: Mapped[str | None] = mapped_column(String(32))
    password_allowed: Mapped[bool] = mapped_column(default=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("tenant_id", "owner"),
        ForeignKeyConstraint(["tenant_id", "partner_id"], ["partners.tenant_id", "partners.id"], ondelete="CASCADE"),
    )

    @property
    def is_workspace(self) -> bool:
        return self.partner_id is None


class SsoDomain(TenantScoped, Base):
    """An e-mail domain that routes sign-in to one connection; unique within the tenant."""

    __tablename__ = "sso_domains"

    connection_id: Mapped[uuid.UUID]
    domain: Mapped[str] = mapped_column(String(253))

    __table_args__ = (
        UniqueConstraint("tenant_id", "domain"),
        ForeignKeyConstraint(["tenant_id", "connection_id"], ["sso_connections.tenant_id", "sso_connections.id"],
                             ondelete="CASCADE"),
    )


class SsoIdentity(TenantScoped, Base):
    """A person as their provider knows them: (issuer, subject), linked to one membership."""

    __tablename__ = "sso_identities"

    connection_id: Mapped[uuid.UUID]
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    membership_id: Mapped[uuid.UUID]
    last_login_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("tenant_id", "issuer", "subject"),
        UniqueConstraint("tenant_id", "connection_id", "membership_id"),
        ForeignKeyConstraint(["tenant_id", "connection_id"], ["sso_connections.tenant_id", "sso_connections.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "membership_id"], ["memberships.tenant_id", "memberships.id"],
                             ondelete="CASCADE"),
    )
