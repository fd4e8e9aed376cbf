"""Creating a tenant with its first admin and its starting defaults."""
from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from app.audit.services import record
from app.auth import roles
from app.auth.models import Membership, User
from app.auth.passwords import hash_password
from app.auth.services import normalise_email
from app.core.registry import TENANT_INITIALISERS
from app.extensions import db
from app.tenancy import tenant_scope
from app.tenants.models import Tenant

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


class TenantError(ValueError):
    """A tenant cannot be created as asked."""


def create_tenant(name: str, slug: str, admin_email: str, admin_password: str) -> Tenant:
    """A new workspace, its vendor admin, and every feature's defaults (flushes only)."""
    if not SLUG_RE.match(slug or ""):
        raise TenantError("slug: use 2-63 lower-case letters, digits and dashes")
    if not (name or "").strip():
        raise TenantError("name: give the workspace a name")
    if db.session.scalar(select(Tenant).where(Tenant.slug == slug)):
        raise TenantError(f"slug: a tenant called {slug!r} already exists")
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip(), settings={})
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        membership = add_member(admin_email, admin_password, roles.VENDOR_ADMIN, None)
        record("tenant.create", object_type="tenant", object_id=tenant.id,
               after={"name": tenant.name, "slug": slug}, summary=f"Workspace {tenant.name} created",
               actor=(None, "system:cli"))
        for init in TENANT_INITIALISERS:
            init(tenant)
        del membership
    return tenant


def add_member(email: str, password: str | None, role: str, partner_id: uuid.UUID | None,
               name: str = "") -> Membership:
    """Find or create the user and give them a membership in the current tenant."""
    if role not in roles.ALL_ROLES:
        raise TenantError(f"role: use one of {', '.join(roles.ALL_ROLES)}")
    if (role in roles.PARTNER_ROLES) != (partner_id is not None):
        raise TenantError("partner: partner roles need --partner, vendor roles must not have one")
    email = normalise_email(email)
    if "@" not in email:
        raise TenantError("email: not an e-mail address")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(id=uuid.uuid4(), email=email, name=name)
        db.session.add(user)
    if password:
        if len(password) < 10:
            raise TenantError("password: use at least 10 characters")
        user.password_hash = hash_password(password)
    db.session.flush()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    if membership is not None:
        raise TenantError(f"email: {email} is already a member of this tenant")
    membership = Membership(id=uuid.uuid4(), user_id=user.id, role=role, partner_id=partner_id)
    db.session.add(membership)
    db.session.flush()
    record("membership.create", membership, after={"email": email, "role": role, "partner_id": partner_id},
           summary=f"{email} added as {role}", actor=(None, "system:cli"))
    return membership
