"""Who is acting in this request: user, tenant, membership."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import g

from app.auth import roles
from app.auth.models import Membership, User
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


def current_actor() -> Actor | None:
    """The actor of the current request, if signed in to a tenant."""
    return getattr(g, "actor", None)
