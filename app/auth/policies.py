"""Named permission checks shared by the HTML views and the API.

Pattern (STYLE.md): load through the tenant scope and the partner visibility rule (404),
then ask a policy here (403), then act.
"""
from __future__ import annotations

from flask import abort

from app.auth import roles
from app.auth.context import Actor
from app.auth.models import Membership


def require(allowed: bool) -> None:
    """403 unless allowed: the object is visible, but this role may not do that."""
    if not allowed:
        abort(403)


def is_vendor_staff(actor: Actor) -> bool:
    return actor.is_vendor


def is_vendor_admin(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_manage_programme(actor: Actor) -> bool:
    """Programme settings, tiers, SSO, tenant settings."""
    return is_vendor_admin(actor)


def can_view_audit(actor: Actor) -> bool:
    return actor.is_vendor


def can_manage_users(actor: Actor) -> bool:
    """Vendor admins manage everyone; partner admins manage their own partner's users."""
    return is_vendor_admin(actor) or (actor.is_partner_side and actor.role == roles.PARTNER_ADMIN)


def can_view_users(actor: Actor) -> bool:
    return actor.is_vendor or actor.role == roles.PARTNER_ADMIN or actor.is_partner_side


def membership_visible(actor: Actor, membership: Membership) -> bool:
    """Vendor staff see every membership; partner staff only their own partner's."""
    if actor.is_vendor:
        return True
    return membership.partner_id is not None and membership.partner_id == actor.partner_id


def can_manage_membership(actor: Actor, membership: Membership) -> bool:
    """Change role or (de)activate: never yourself, partner admins only within their partner."""
    if membership.id == actor.membership.id:
        return False
    if is_vendor_admin(actor):
        return True
    return (
        actor.role == roles.PARTNER_ADMIN
        and membership.partner_id == actor.partner_id
        and membership.role in roles.PARTNER_ROLES
    )


def assignable_roles(actor: Actor, for_partner: bool) -> tuple[str, ...]:
    """Roles this actor may grant to a vendor-side or partner-side membership."""
    if is_vendor_admin(actor):
        return roles.PARTNER_ROLES if for_partner else roles.VENDOR_ROLES
    if actor.role == roles.PARTNER_ADMIN and for_partner:
        return roles.PARTNER_ROLES
    return ()
