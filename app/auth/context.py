"""Who is acting in this request: user, tenant, membership."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import g
from sqlalchemy import select

from app.auth import roles
from app.auth.models import Membership, User
from app.extensions import db
from app.tenants.models import Tenant


@dataclass
class Actor:
    user: User
    tenant: Tenant
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def partner_id(self) -> uuid.UUID | None:
        return self.membership.partner_id

    @property
    def is_vendor(self) -> bool:
        return self.membership.partner_id is None and self.role in roles.VENDOR_ROLES

    @property
    def is_partner_side(self) -> bool:
        return self.membership.partner_id is not None and self.role in roles.PARTNER_ROLES


def actor_for_email(tenant: Tenant, email: str) -> Actor:
    """A person of `tenant` as an Actor, for commands and demo seeders that act through the services.

    Runs inside that tenant's scope, so only its memberships are found.
    """
    user = db.session.scalar(select(User).where(User.email == email))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    return Actor(user=user, tenant=tenant, membership=membership)


def current_actor() -> Actor | None:
    """The actor of the current request, if signed in to a tenant."""
    return getattr(g, "actor", None)
