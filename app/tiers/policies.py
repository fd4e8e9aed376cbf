"""Who closes quarters, overrides outcomes and edits the tier programme."""
from __future__ import annotations

from app.auth import roles
from app.auth.context import Actor
from app.health.policies import is_assigned_manager
from app.partners.models import Partner


def can_edit_programme(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_close(actor: Actor, partner: Partner) -> bool:
    """A vendor admin, or the partner's assigned channel manager, closes one partner's quarter."""
    return actor.is_vendor and (actor.role == roles.VENDOR_ADMIN or is_assigned_manager(actor, partner))


def can_close_all(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN


def can_override(actor: Actor) -> bool:
    return actor.is_vendor and actor.role == roles.VENDOR_ADMIN
