"""Who may ask for, and answer, each kind of term change.

Each kind is allowed to the people the mechanism it goes through already allows: agreement terms
to those who negotiate agreements; tier and margin to vendor admins (overrides) and the partner's
admin; the named channel manager to vendor admins and the partner's admin. Only the other side
answers: the proposing side may not accept its own request (403).
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select

from app.auth import roles
from app.auth.context import Actor
from app.extensions import db
from app.health.policies import can_negotiate
from app.partners.models import Partner
from app.partners.policies import get_partner_or_404
from app.termchanges.models import TermChange
from app.tiers.policies import can_override


def side_of(actor: Actor) -> str:
    return "vendor" if actor.is_vendor else "partner"


def get_change_or_404(actor: Actor, change_id: uuid.UUID) -> tuple[TermChange, Partner]:
    """The change and its partner when the actor may see that partnership, else 404."""
    change = db.session.scalar(select(TermChange).where(TermChange.id == change_id))
    if change is None:
        abort(404)
    return change, get_partner_or_404(actor, change.partner_id)


def can_act(actor: Actor, partner: Partner, kind: str) -> bool:
    """Ask for or answer a change of this kind on this partnership."""
    if kind == "agreement_terms":
        return can_negotiate(actor, partner)
    if actor.is_vendor:
        return can_override(actor) if kind in ("tier_position", "margin_exception") else \
            actor.role == roles.VENDOR_ADMIN
    return actor.is_partner_side and actor.role == roles.PARTNER_ADMIN and actor.partner_id == partner.id


def can_answer(actor: Actor, change: TermChange, partner: Partner) -> bool:
    return can_act(actor, partner, change.kind) and side_of(actor) != change.proposed_by


def may_propose_any(actor: Actor, partner: Partner) -> bool:
    return any(can_act(actor, partner, k) for k in ("agreement_terms", "tier_position", "named_contact"))
