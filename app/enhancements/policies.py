"""Who sees and does what with enhancement requests.

Requests are visible to every partner of the vendor (so partners find and support similar ones),
but a partner never learns which other partners filed or support a request, nor their accounts:
that redaction lives in `app.enhancements.views`, shared by pages and the API.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.enhancements.models import EnhancementRequest, EnhancementSupport
from app.extensions import db


def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def get_request_or_404(actor: Actor, request_id: uuid.UUID) -> EnhancementRequest:
    """A request of this tenant (the ORM scope filters the tenant), else 404."""
    if not (actor.is_vendor or actor.is_partner_side):
        abort(404)
    req = db.session.scalar(select(EnhancementRequest).where(EnhancementRequest.id == request_id))
    if req is None:
        abort(404)
    return req


def own_support(actor: Actor, req: EnhancementRequest) -> EnhancementSupport | None:
    """The actor's partner's support row of this request (the filer has one too)."""
    if not actor.is_partner_side:
        return None
    return db.session.scalar(select(EnhancementSupport).where(
        EnhancementSupport.request_id == req.id, EnhancementSupport.partner_id == actor.partner_id))


def can_file(actor: Actor) -> bool:
    return actor.is_partner_side


def can_support(actor: Actor) -> bool:
    """Partner staff add their partner's support (the service refuses a second one with 422)."""
    return actor.is_partner_side


def can_triage(actor: Actor) -> bool:
    """Vendor admins and channel managers set the status; viewers read."""
    return actor.is_vendor and actor.role in (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)


def can_write_use_case(actor: Actor, req: EnhancementRequest) -> bool:
    """Vendor admins and channel managers, and staff of partners that filed or support the request."""
    if actor.is_vendor:
        return can_triage(actor)
    return own_support(actor, req) is not None


def can_rank(actor: Actor) -> bool:
    return actor.is_vendor
