"""Panels on the vendor-side partner page and the partner home: sharing and overlap at a glance."""
from __future__ import annotations

from flask import render_template

from app.sharing.policies import peer_aggregate, tier_overlaps
from app.sharing.routes import own_accounts_count, partnership_context


def vendor_partner_panel(actor, partner):
    if not actor.is_vendor:
        return None
    return render_template("sharing/_panel.html", **partnership_context(actor, partner, requests=False))


def partner_home_panel(actor, partner):
    """The partner's own overlap count, its number of accounts and its tier's median overlap all
    come from one statement (`tier_overlaps`; the levels were read with the communication plan)."""
    if not actor.is_partner_side:
        return None
    if actor.partner_id != partner.id:
        return render_template("sharing/_panel.html", **partnership_context(actor, partner, requests=False),
                               peers=peer_aggregate(partner), own_count=own_accounts_count(actor))
    counts, _, accounts = tier_overlaps(partner)
    return render_template("sharing/_panel.html",
                           **partnership_context(actor, partner, overlap=counts.get(partner.id, 0), requests=False),
                           peers=peer_aggregate(partner), own_count=accounts.get(partner.id, 0))
