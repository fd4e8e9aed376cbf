"""Who sees and changes which agreement, measurement and catalogue entry (T2, T3)."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import Select, select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.health.models import Agreement
from app.partners.models import Partner


def side_of(actor: Actor) -> str:
    """'vendor' for vendor staff, 'partner' for partner staff."""
    return "vendor" if actor.is_vendor else "partner"


def is_assigned_manager(actor: Actor, partner: Partner) -> bool:
    return (actor.is_vendor and actor.role == roles.CHANNEL_MANAGER
            and partner.channel_manager_id == actor.membership.id)


def scope_agreements(actor: Actor, stmt: Select) -> Select:
    """Partner staff see only their own partner's agreements."""
    if actor.is_vendor:
        return stmt
    return stmt.where(Agreement.partner_id == actor.partner_id)


def get_agreement_or_404(actor: Actor, agreement_id: uuid.UUID) -> Agreement:
    """The agreement if it is in this tenant and visible to the actor, else 404 (never 403)."""
    agreement = db.session.scalar(scope_agreements(actor, select(Agreement).where(Agreement.id == agreement_id)))
    if agreement is None:
        abort(404)
    return agreement


def can_negotiate(actor: Actor, partner: Partner) -> bool:
    """Propose or accept: a vendor admin, the partner's channel manager, or the partner's admin."""
    if actor.is_vendor:
        return actor.role == roles.VENDOR_ADMIN or is_assigned_manager(actor, partner)
    return actor.role == roles.PARTNER_ADMIN and actor.partner_id == partner.id


def can_accept(actor: Actor, agreement: Agreement, partner: Partner) -> bool:
    """Only the other side accepts: the proposing side may not accept its own proposal."""
    return can_negotiate(actor, partner) and side_of(actor) != agreement.proposed_by


def can_record_measurements(actor: Actor, partner: Partner) -> bool:
    """Vendor admin and the assigned channel manager; partner admins and users for their own partner."""
    if actor.is_vendor:
        return actor.role == roles.VENDOR_ADMIN or is_assigned_manager(actor, partner)
    return actor.is_partner_side and actor.partner_id == partner.id


def can_manage_catalogue(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN
