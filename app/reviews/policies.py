"""Who opens, edits, signs and reads a partnership's quarterly review.

Reading: every vendor role, and the partner's own staff. Opening, editing, settling and adding
action items: a vendor admin, the partner's assigned channel manager, the partner's admin.
Signing: the vendor side by the assigned channel manager or a vendor admin, the partner side by
the partner admin. Partner staff of another partner get 404 (T3), like another tenant's.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404
from app.reviews.models import ActionItem, Review


def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def get_review_or_404(actor: Actor, review_id: uuid.UUID) -> tuple[Review, Partner]:
    review = db.session.scalar(select(Review).where(Review.id == review_id))
    if review is None:
        abort(404)
    return review, get_partner_or_404(actor, review.partner_id)


def get_item_or_404(actor: Actor, item_id: uuid.UUID) -> tuple[ActionItem, Review, Partner]:
    item = db.session.scalar(select(ActionItem).where(ActionItem.id == item_id))
    if item is None:
        abort(404)
    review, partner = get_review_or_404(actor, item.review_id)
    return item, review, partner


def can_read(actor: Actor, partner: Partner) -> bool:
    return actor.is_vendor or (actor.is_partner_side and actor.partner_id == partner.id)


def _manages(actor: Actor, partner: Partner) -> bool:
    return actor.role == roles.CHANNEL_MANAGER and partner.channel_manager_id == actor.membership.id


def can_sign(actor: Actor, partner: Partner) -> bool:
    if actor.is_vendor:
        return actor.role == roles.VENDOR_ADMIN or _manages(actor, partner)
    return actor.is_partner_side and actor.partner_id == partner.id and actor.role == roles.PARTNER_ADMIN


def can_edit(actor: Actor, partner: Partner) -> bool:
    """Open the review, write agenda and notes, settle disputes, add and change action items."""
    return can_sign(actor, partner)


def can_update_item(actor: Actor, partner: Partner, item: ActionItem) -> bool:
    """Editors, and the item's owner (to mark it done or dropped)."""
    return can_edit(actor, partner) or (can_read(actor, partner) and item.owner_id == actor.membership.id)


def can_view_calendar(actor: Actor) -> bool:
    return actor.is_vendor
