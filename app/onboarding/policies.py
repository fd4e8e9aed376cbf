"""Who reads and runs onboarding checklists, and who edits the template."""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.onboarding.models import OnboardingItem, OnboardingTemplateItem
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404, in_csdm_regions


def can_read(actor: Actor, partner: Partner) -> bool:
    """Vendor staff read every checklist; partner staff their own partnership's (read only)."""
    return actor.is_vendor or (actor.is_partner_side and actor.partner_id == partner.id)


def can_run(actor: Actor, partner: Partner) -> bool:
    """Start the checklist and tick its items: vendor admins, the partner's channel manager, and the
    CS Development Manager of the partner's region. Viewers and partner staff read."""
    if not actor.is_vendor:
        return False
    if actor.role == roles.VENDOR_ADMIN:
        return True
    if actor.role == roles.CHANNEL_MANAGER:
        return partner.channel_manager_id == actor.membership.id
    return in_csdm_regions(actor, partner)


def can_edit_template(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def get_item_or_404(actor: Actor, item_id: uuid.UUID) -> tuple[OnboardingItem, Partner]:
    """A checklist item and its partner when the actor may see that partnership, else 404."""
    item = db.session.scalar(select(OnboardingItem).where(OnboardingItem.id == item_id))
    if item is None:
        abort(404)
    partner = get_partner_or_404(actor, item.partner_id)
    if not can_read(actor, partner):
        abort(404)
    return item, partner


def get_template_item_or_404(actor: Actor, item_id: uuid.UUID) -> OnboardingTemplateItem:
    """A step of this tenant's template, removed ones too (changing those answers 409); vendor staff
    only, partner staff never see the template."""
    item = db.session.scalar(select(OnboardingTemplateItem).where(OnboardingTemplateItem.id == item_id))
    if item is None or not actor.is_vendor:
        abort(404)
    return item
