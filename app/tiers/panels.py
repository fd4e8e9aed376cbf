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
from sqlalchemy import and_, case, func, literal, select

from app.core.registry import Book, add_page_panel, add_partner_home_panel, add_partner_panel
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
from app.tiers.work import recent_closes

SORTS = ("risk", "name", "health", "tier", "margin")


def _summary(actor, partner) -> dict:
    force, measurements, waiting = health_services.panel_agreements(partner, side_of(actor))
    result = lever = None
    if force is not None:
        result, measurements = health_services.agreement_health(force, measurements)
        lever = health_services.lever(force, measurements)
    # The latest close as the partner home's work queue read it (at-risk partners): no statement
    # of its own there, one on the vendor's partner page.
    closes = recent_closes(Book(partner_id=partner.id)).get(partner.id)
    last = closes[-1] if closes else None
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


DASHBOARD_PAGE = 50


def _dashboard_order(sort: str, descending: bool, tiers) -> list:
    """The dashboard's sort as SQL over partners outer-joined to their latest close (Python's
    former in-memory keys, in the same order; ties by name, then id)."""
    score = QuarterClose.health_score
    name = func.lower(Partner.name)
    if sort == "risk":
        keys = [case((QuarterClose.status == "at_risk", 0), else_=1),
                case((score.is_(None), 3), (score >= 75, 2), (score >= 50, 1), else_=0),
                func.coalesce(score, 101), name]
    elif sort == "name":
        keys = [name]
    elif sort == "health":
        keys = [case((score.is_(None), 1), else_=0), func.coalesce(score, 0)]
    elif sort == "tier":
        tier = func.coalesce(QuarterClose.override_tier, QuarterClose.assigned_tier, Partner.tier)
        ranks = {t.name: i for i, t in enumerate(tiers)}
        keys = [case(ranks, value=tier, else_=-1) if ranks else literal(-1), name]
    else:  # margin
        margin = func.coalesce(QuarterClose.override_margin_pct, QuarterClose.margin_pct)
        keys = [case((margin.is_(None), 1), else_=0), func.coalesce(margin, 0)]
    keys = [k.desc() if descending else k.asc() for k in keys]
    return keys + [Partner.name, Partner.id]


def health_dashboard(actor, _obj) -> str:
    """Every partner's health colour, tier, margin and trend, those at risk first; one page of
    DASHBOARD_PAGE partners at a time, sorted and paged in SQL, so its cost does not grow with
    the tenant (five statements: the page, the total, the page's last four closes, the latest
    closed quarter, the tier programme)."""
    sort = request.args.get("sort", "risk")
    sort = sort if sort in SORTS else "risk"
    descending = request.args.get("dir") == "desc"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    tiers = services.load_tiers()
    latest = (select(QuarterClose.partner_id, func.max(QuarterClose.period).label("period"))
              .group_by(QuarterClose.partner_id).subquery())
    found = db.session.execute(
        select(Partner, QuarterClose)
        .outerjoin(latest, latest.c.partner_id == Partner.id)
        .outerjoin(QuarterClose, and_(QuarterClose.tenant_id == Partner.tenant_id,
                                      QuarterClose.partner_id == Partner.id, QuarterClose.period == latest.c.period))
        .order_by(*_dashboard_order(sort, descending, tiers))
        .offset((page - 1) * DASHBOARD_PAGE).limit(DASHBOARD_PAGE)).all()
    total = db.session.scalar(select(func.count()).select_from(Partner)) or 0
    history: dict[uuid.UUID, list[QuarterClose]] = {}
    if found:
        for c in db.session.scalars(select(QuarterClose).where(QuarterClose.partner_id.in_([p.id for p, _ in found]))
                                    .order_by(QuarterClose.period)):
            history.setdefault(c.partner_id, []).append(c)
    rows = []
    for p, _last in found:
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
    last_period = db.session.scalar(select(func.max(QuarterClose.period)))
    suggested = str(parse_period(last_period).next()) if last_period else str(period_for(date.today()).previous())
    return render_template("tiers/_health_dashboard.html", rows=rows, sort=sort, descending=descending,
                           page=page, pages=max(1, -(-total // DASHBOARD_PAGE)),
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
