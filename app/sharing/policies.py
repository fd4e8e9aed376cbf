"""Who may change a partnership's sharing or ask for more (DESIGN §4).

What each side sees of the other's accounts is decided in `app.accounts.policies`, next to the
accounts it governs; its names are repeated here for the sharing pages and their callers.
"""
from __future__ import annotations

from app.accounts.models import VENDOR_TO_PARTNER
from app.accounts.policies import (  # noqa: F401
    ACCOUNT_FIELDS, ALL_FIELDS, BASE_FIELDS, FIELD_CHOICES, LISTING_LEVELS, MIN_PEERS, Access, Level, OverlapView,
    PeerAggregate, access_resolver, account_access, account_values, can_add_insight, get_account_or_404,
    incoming_direction, levels_select, outgoing_direction, overlap_count, overlap_counts_by_partner, overlap_items,
    overlap_pairs, remember_levels, tier_overlaps,
    overlap_view, peer_aggregate, scope_accounts, scope_insights, setting_for, settings_by_partner, side_of,
)
from app.auth import roles
from app.auth.context import Actor
from app.partners.models import Partner


def can_change_sharing(actor: Actor, partner: Partner, direction: str) -> bool:
    """Only the sharing side's admin changes its own direction.

    vendor -> partner: vendor admins, and the channel manager assigned to that partner;
    partner -> vendor: that partner's partner admin.
    """
    if direction == VENDOR_TO_PARTNER:
        return actor.is_vendor and (actor.role == roles.VENDOR_ADMIN or (
            actor.role == roles.CHANNEL_MANAGER and partner.channel_manager_id == actor.membership.id))
    return actor.is_partner_side and actor.role == roles.PARTNER_ADMIN and actor.partner_id == partner.id


def can_request_data(actor: Actor, partner: Partner) -> bool:
    """A side that sees only counts may ask for more; viewers may not."""
    if actor.is_vendor:
        return actor.role in (roles.VENDOR_ADMIN, roles.CHANNEL_MANAGER)
    return actor.is_partner_side and actor.partner_id == partner.id


