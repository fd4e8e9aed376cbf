"""Panels on the vendor-side partner page and the partner home: sharing and overlap at a glance."""
from __future__ import annotations

from flask import render_template

from app.sharing.policies import peer_aggregate
from app.sharing.routes import own_accounts_count, partnership_context


def vendor_partner_panel(actor, partner):
    if not actor.is_vendor:
        return None
    return render_template("sharing/_panel.html", **partnership_context(actor, partner))


def partner_home_panel(actor, partner):
    if not actor.is_partner_side:
        return None
    return render_template("sharing/_panel.html", **partnership_context(actor, partner),
                           peers=peer_aggregate(partner), own_count=own_accounts_count(actor))
