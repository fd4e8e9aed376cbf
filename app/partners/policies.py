"""Who sees and changes which partner (T2, T3)."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.partners.models import Partner


def scope_partners(actor: Actor, stmt: Select) -> Select:
    """Restrict a Partner query to what the actor may see (partner staff: their own only)."""
    if actor.is_vendor:
        return stmt
    return stmt.where(Partner.id == actor.partner_id)


def get_partner_or_404(actor: Actor, partner_id: uuid.UUID) -> Partner:
    """The partner if it is in this tenant and visible to the actor, else 404 (never 403)."""
    partner = db.session.scalar(scope_partners(actor, select(Partner).where(Partner.id == partner_id)))
    if partner is None:
        abort(404)
    return partner


def can_create_partner(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_edit_partner(actor: Actor, partner: Partner) -> bool:
    """Vendor admins edit every partner; channel managers the partners assigned to them."""
    if not actor.is_vendor:
        return False
    if actor.role == roles.VENDOR_ADMIN:
        return True
    return actor.role == roles.CHANNEL_MANAGER and partner.channel_manager_id == actor.membership.id


def can_assign_manager(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN
