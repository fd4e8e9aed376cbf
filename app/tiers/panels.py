"""Sections tiers adds to other pages: the health-and-margin summary on the partner pages, and the
close, tier and margin parts of the health dashboard and a partnership's health page.

Tiers builds on health, so it fills the health pages through the registry and health never
imports tiers.
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from flask import render_template, request
from sqlalchemy import select

from app.core.registry import add_page_panel, add_partner_home_panel, add_partner_panel
from app.extensions import db
from app.health import services as health_services
from app.health.charts import sparkline, trend_chart
from app.health.models import Agreement
from app.health.periods import parse_period, period_for
from app.health.policies import side_of
from app.partners.models import Partner
from app.tiers import services
from app.tiers.models import QuarterClose
from app.tiers.policies import can_close, can_close_all, can_override

SORTS = ("risk", "name", "health", "tier", "margin")
COLOUR_RANK = {"red": 0, "yellow": 1, "green": 2, None: 3}


def _summary(actor, partner) -> dict:
    force, measurements = health_services.in_force_with_measurements(partner.id)
    result = lever = None
    if force is not None:
        result, measurements = health_services.agreement_health(force, measurements)
        lever = health_services.lever(force, measurements)
    last = services.latest_close(partner.id)
    waiting = health_services.waiting_for(side_of(actor), partner_id=partner.id)
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
    return render_template("tiers/_health_panel.html", **_summary(actor, partner), vendor=True)


def partner_home_panel(actor, partner) -> str | None:
    return render_template("tiers/_health_panel.html", **_summary(actor, partner), vendor=False)


def health_dashboard(actor, _obj) -> str:
    """Every partner's health colour, tier, margin and trend; those at risk first."""
    sort = request.args.get("sort", "risk")
    sort = sort if sort in SORTS else "risk"
    descending = request.args.get("dir") == "desc"
    partners = db.session.scalars(select(Partner).order_by(Partner.name)).all()
    history: dict[uuid.UUID, list[QuarterClose]] = {}
    for c in db.session.scalars(select(QuarterClose).order_by(QuarterClose.period)):
        history.setdefault(c.partner_id, []).append(c)
    tiers = services.load_tiers()
    tier_rank = {t.name: i for i, t in enumerate(tiers)}
    rows = []
    for p in partners:
        closes = history.get(p.id, [])[-4:]
        last = closes[-1] if closes else None
        score = Decimal(last.health_score) if last else None
        colour = None if score is None else ("green" if score >= 75 else "yellow" if score >= 50 else "red")
        trend = None
        if len(closes) >= 2:
            delta = Decimal(closes[-1].health_score) - Decimal(closes[-2].health_score)
            trend = "up" if delta > 0 else "down" if delta < 0 else "flat"
        rows.append({"partner": p, "last": last, "score": score, "colour": colour, "trend": trend,
                     "spark": sparkline([(c.period, Decimal(c.health_score)) for c in closes]),
                     "at_risk": bool(last and last.status == "at_risk"),
                     "tier": last.effective_tier if last else p.tier,
                     "margin": last.effective_margin if last else None})
    keys = {
        "risk": lambda r: (not r["at_risk"], COLOUR_RANK[r["colour"]], r["score"] if r["score"] is not None else 101,
                           r["partner"].name.lower()),
        "name": lambda r: r["partner"].name.lower(),
        "health": lambda r: (r["score"] is None, r["score"] or 0),
        "tier": lambda r: (tier_rank.get(r["tier"], -1), r["partner"].name.lower()),
        "margin": lambda r: (r["margin"] is None, r["margin"] or 0),
    }
    rows.sort(key=keys[sort], reverse=descending)
    last_period = max((c.period for cs in history.values() for c in cs), default=None)
    suggested = str(parse_period(last_period).next()) if last_period else str(period_for(date.today()).previous())
    return render_template("tiers/_health_dashboard.html", rows=rows, sort=sort, descending=descending,
                           can_close_all=can_close_all(actor), suggested_period=suggested)


def health_chart(actor, partner) -> str:
    """Health per closed quarter, next to the agreement in force."""
    closes = services.margin_history(partner.id)
    chart = trend_chart([(c.period, Decimal(c.health_score)) for c in reversed(closes)][-8:],
                        [(t.name, t.min_score) for t in services.load_tiers()])
    return render_template("tiers/_health_chart.html", closes=closes, chart=chart)


def margin_history(actor, partner) -> str:
    """Every close of the partnership, with the close and override actions."""
    closes = services.margin_history(partner.id)
    return render_template("tiers/_margin_history.html", partner=partner, closes=closes,
                           can_close=can_close(actor, partner), can_override=can_override(actor),
                           next_period=_next_close_period(closes, health_services.agreements_of(partner.id)))


def _next_close_period(closes: list[QuarterClose], agreements: list[Agreement]) -> str | None:
    """The quarter a close button should offer: after the latest close, else the earliest accepted one."""
    accepted = sorted({a.period for a in agreements if a.status == "accepted"})
    if closes:
        nxt = str(parse_period(closes[0].period).next())
        return nxt if nxt in accepted else closes[0].period
    return accepted[0] if accepted else None


add_partner_panel("health", vendor_panel, order=20)
add_partner_home_panel("health", partner_home_panel, order=10)
add_page_panel("health.dashboard", "close", health_dashboard)
add_page_panel("health.partner.side", "chart", health_chart)
add_page_panel("health.partner.main", "margin", margin_history)
