"""Sections this feature adds to the vendor-side partner page and the partner-side home."""
from __future__ import annotations

from decimal import Decimal

from flask import render_template

from app.core.registry import add_partner_home_panel, add_partner_panel
from app.health import services
from app.health.policies import side_of
from app.tiers import services as tier_services


def _summary(actor, partner) -> dict:
    force = services.in_force(partner.id)
    result = lever = None
    if force is not None:
        result, measurements = services.agreement_health(force)
        lever = services.lever(force, measurements)
    last = tier_services.latest_close(partner.id)
    waiting = services.waiting_for(side_of(actor), partner_id=partner.id)
    lever_term = next((t for t in force.terms if t["key"] == lever), None) if force and lever else None
    lever_line = None
    if lever_term is not None:
        line = next(m for m in result.metrics if m.key == lever)
        lever_line = {"term": lever_term, "line": line,
                      "cost": (Decimal(lever_term["weight"]) * (1 - line.attainment)
                               / sum(Decimal(t["weight"]) for t in force.terms) * 100).quantize(Decimal("0.1"))}
    return {"partner": partner, "force": force, "result": result, "lever": lever_line, "last": last,
            "waiting": waiting}


def vendor_panel(actor, partner) -> str | None:
    if not actor.is_vendor:
        return None
    return render_template("health/_panel.html", **_summary(actor, partner), vendor=True)


def partner_home_panel(actor, partner) -> str | None:
    return render_template("health/_panel.html", **_summary(actor, partner), vendor=False)


add_partner_panel("health", vendor_panel, order=20)
add_partner_home_panel("health", partner_home_panel, order=10)
